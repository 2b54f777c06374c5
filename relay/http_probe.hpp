// HTTP on a TURN port: load balancers and uptime checkers probe port 443 with plain HTTP
// ("GET /healthz HTTP/1.1"). The first bytes of a connection tell an HTTP/1.x request from
// TURN, and an HTTP request gets a short answer and a closed connection.
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
#include <string>
#include <string_view>

#include "stun/result.hpp"

namespace hallpass::relay {

enum class FirstBytes { turn, http, need_more };

// turn on the first byte that cannot start a known method (every STUN first byte, and most
// ChannelData ones); need_more while fewer than 4 bytes are a prefix of a known method's
// first four; http when the first 4 bytes are one; else turn.
FirstBytes classify_first_bytes(std::span<const std::uint8_t> bytes);

// The request line of an HTTP/1.x request, as views into the bytes given to
// parse_http_request_head (valid as long as they are).
struct HttpRequestHead {
    std::string_view method;  // e.g. "GET"
    std::string_view path;    // the request target as sent, query included: "/healthz?x=1"
    std::size_t length = 0;   // bytes of the head, through the blank line ("\r\n\r\n")
};

struct HttpParse {
    enum class Status { done, need_more, invalid } status = Status::need_more;
    HttpRequestHead head;
    ParseError error{};  // invalid: place "HTTP", and why
};

// The largest head accepted; a longer one is invalid (the connection is closed).
inline constexpr std::size_t http_max_head_size = 8192;

// Request line: method SP request-target SP "HTTP/1.0" or "HTTP/1.1" CRLF (RFC 9112 §3);
// the method a token, the target visible ASCII with no spaces. Header lines are not parsed,
// only skipped up to the blank line. invalid as soon as the request line is there and
// malformed, or past 8 KiB without "\r\n\r\n".
HttpParse parse_http_request_head(std::span<const std::uint8_t> bytes);

// The whole response, status line to body, for a request head:
//   GET or HEAD /healthz (any query) → 200, body "ok" (HEAD: the same headers, no body)
//   GET or HEAD, another path        → 404, body "not found"
//   any other method                 → 405, body "method not allowed", "Allow: GET, HEAD"
// Always HTTP/1.1, "Content-Type: text/plain", "Content-Length", "Connection: close".
std::string http_response(const HttpRequestHead& request);

}  // namespace hallpass::relay
