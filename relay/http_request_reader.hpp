// HttpRequestReader: HTTP/1.1 requests out of the bytes of a TURN port connection, with
// Beast's parser. The connection reads the bytes (over TCP, or TLS after the handshake)
// and feeds them here; this says whether a whole request is in, and how many of the bytes
// it took. A TURN port faces everyone, so requests are small: a head of 8 KiB at most and
// a body of 16 KiB (what the check page posts), as the admin listener bounds its own.
#pragma once

#include <boost/beast/http/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "relay/http_types.hpp"

namespace hallpass::relay {

struct HttpReadLimits {
    std::uint32_t header_limit = 8192;
    std::uint64_t body_limit = 16384;
};

class HttpRequestReader {
public:
    enum class Status {
        done,        // a whole request: take it with request()
        need_more,   // feed more bytes (those not used, then new ones)
        too_large,   // over a limit: answer 431 or 413 (which one: header_too_large()) and close
        invalid,     // not HTTP/1.x: close
    };
    struct Result {
        Status status;
        std::size_t used;  // bytes consumed from what was fed; keep the rest
    };

    explicit HttpRequestReader(HttpReadLimits limits = {});

    Result feed(std::span<const std::uint8_t> bytes);
    const HttpRequest& request() const { return parser_->get(); }
    bool header_too_large() const { return header_too_large_; }
    // Ready for the next request on a kept-alive connection.
    void reset();

private:
    HttpReadLimits limits_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    bool header_too_large_ = false;
};

}  // namespace hallpass::relay
