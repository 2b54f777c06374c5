// PROXY protocol header parser, versions 1 (text) and 2 (binary), as HAProxy specifies it
// (https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt). A load balancer in front
// of a TCP/TLS listener marked proxy_protocol sends it first on each connection: the real
// client's address, before any TURN byte (and, for TLS, before the ClientHello).
//
// Pure: no sockets, no Asio, no clocks. Called again with more bytes until it is done.
//
// v1, one text line of at most 107 bytes, CRLF included (spec §2.1):
//   "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n"
//   "PROXY TCP6 2001:db8::1 2001:db8::2 56324 443\r\n"
//   "PROXY UNKNOWN\r\n", or "PROXY UNKNOWN <anything>\r\n"  (use the socket's peer)
//
// v2, binary (spec §2.2):
//   +--------------------------------------------------------------------+
//   | signature: 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A           (12 bytes) |
//   | version (high nibble, 2) | command (low nibble, 0 LOCAL / 1 PROXY) |
//   | family (high: 0 UNSPEC, 1 INET, 2 INET6, 3 UNIX) | transport (low:  |
//   |   0 UNSPEC, 1 STREAM, 2 DGRAM)                                     |
//   | length of what follows, big-endian                        (2 bytes) |
//   +--------------------------------------------------------------------+
//   | INET:  src addr (4)  dst addr (4)  src port (2)  dst port (2)       |
//   | INET6: src addr (16) dst addr (16) src port (2)  dst port (2)       |
//   | then TLVs up to `length`, skipped                                    |
//   +--------------------------------------------------------------------+
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "stun/result.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::relay {

// The longest v1 line (spec §2.1: "a receiver may ... 107 bytes") and the longest v2
// header (16 + a 16-bit length).
inline constexpr std::size_t proxy_v1_max_size = 107;
inline constexpr std::size_t proxy_v2_max_size = 16 + 65535;

struct ProxyHeader {
    std::optional<TransportAddress> source;  // the real client; nullopt for LOCAL / UNKNOWN
                                             // (use the socket's peer)
    std::optional<TransportAddress> destination;
    std::size_t length = 0;  // bytes of the header to skip
};

struct ProxyParse {
    enum class Status { done, need_more, invalid } status = Status::need_more;
    ProxyHeader header;
    ParseError error{};  // invalid: place "PROXY v1", "PROXY v2" or "PROXY", and why
};

// Parses the header at the start of `bytes` (the whole stream received so far). need_more
// while `bytes` is a proper prefix of a header that could still be valid; invalid as soon
// as it cannot be one (a stream starting with neither signature, a malformed v1 line, an
// unsupported v2 version, command, family or transport). Bytes after the header are not
// looked at.
ProxyParse parse_proxy_header(std::span<const std::uint8_t> bytes);

}  // namespace hallpass::relay
