#include "tests/integration/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace hallpass::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

HttpAnswer http_request(const TransportAddress& server, const std::string& method, const std::string& target,
                        const std::string& bearer, const std::string& extra_header) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(10));
    stream.connect({asio::ip::make_address(server.ip.to_string()), server.port}, ec);
    if (ec) return {};
    http::request<http::string_body> request(http::string_to_verb(method), target, 11);
    request.set(http::field::host, server.to_string());
    if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + bearer);
    if (!extra_header.empty()) request.set("X-Test", extra_header);
    request.prepare_payload();
    http::write(stream, request, ec);
    if (ec) return {};
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response, ec);
    if (ec) return {};
    return {static_cast<int>(response.result_int()), response.body()};
}

}  // namespace hallpass::testing
