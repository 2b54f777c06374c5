// HTTP on a TURN port: load balancers and uptime checkers probe port 443 with plain HTTP
// ("GET /healthz HTTP/1.1"), and browsers open the school network check there. The first
// bytes of a connection tell an HTTP/1.x request from TURN; what HTTP gets is
// relay/check/turn_port_http.hpp's business.
//
// Pure: no sockets, no Asio, no clocks.
//
// Telling them apart. A TURN stream starts with a STUN message (first byte 0x00-0x3F, top
// bits 00) or ChannelData (0x40-0x7F, top bits 01). HTTP methods are upper-case ASCII
// letters, 0x41-0x5A: top bits 01, the same as ChannelData for channels 0x41xx-0x5Axx. So
// one byte is not enough, and the choice is made on four: a known method's first four bytes
// ("GET ", "HEAD", "POST", "PUT ", "DELE", "OPTI", "PATC", "CONN", "TRAC") mean HTTP.
// ChannelData for channel 0x4745 with length 0x5420 also starts "GET ", and is taken for
// HTTP: on a listener's first bytes that costs nothing, because a real TURN client's first
// message is always a STUN request (Allocate, or Binding), never ChannelData — ChannelData
// needs a channel bound by an earlier ChannelBind on the same connection (RFC 8656 §12).
// Only the connection's first bytes are classified; later ones are always TURN.
//
// A TLS ClientHello starts with 0x16 and is classified as turn: telling TLS apart is the
// listener's business, before this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hallpass::relay {

enum class FirstBytes { turn, http, need_more };

// turn on the first byte that cannot start a known method (every STUN first byte, and most
// ChannelData ones); need_more while fewer than 4 bytes are a prefix of a known method's
// first four; http when the first 4 bytes are one; else turn.
FirstBytes classify_first_bytes(std::span<const std::uint8_t> bytes);

}  // namespace hallpass::relay
