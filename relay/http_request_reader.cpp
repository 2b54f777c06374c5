#include "relay/http_request_reader.hpp"

#include <boost/asio/buffer.hpp>

namespace hallpass::relay {

namespace http = boost::beast::http;

HttpRequestReader::HttpRequestReader(HttpReadLimits limits) : limits_(limits) { reset(); }

void HttpRequestReader::reset() {
    parser_.emplace();
    parser_->header_limit(limits_.header_limit);
    parser_->body_limit(limits_.body_limit);
    parser_->eager(true);
    header_too_large_ = false;
}

HttpRequestReader::Result HttpRequestReader::feed(std::span<const std::uint8_t> bytes) {
    std::size_t used = 0;
    while (!parser_->is_done()) {
        boost::beast::error_code ec;
        used += parser_->put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
        if (ec == http::error::need_more) {
            // Beast takes a head only whole: a head longer than the limit never completes.
            if (!parser_->is_header_done() && bytes.size() - used > limits_.header_limit) {
                header_too_large_ = true;
                return {Status::too_large, used};
            }
            return {Status::need_more, used};
        }
        if (ec == http::error::header_limit) {
            header_too_large_ = true;
            return {Status::too_large, used};
        }
        if (ec == http::error::body_limit) return {Status::too_large, used};
        if (ec) return {Status::invalid, used};
        if (used == bytes.size() && !parser_->is_done()) return {Status::need_more, used};
    }
    // Beast also reads "HTTP/2.0" and the like as a version number: only 1.0 and 1.1 are HTTP
    // here (HTTP/2 comes with ALPN h2, which the TLS listener does not offer).
    const unsigned version = parser_->get().version();
    if (version != 10 && version != 11) return {Status::invalid, used};
    return {Status::done, used};
}

}  // namespace hallpass::relay
