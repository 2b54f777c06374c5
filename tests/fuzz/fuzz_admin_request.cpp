// The admin API (relay/admin/admin_api): any bytes that Boost.Beast reads as an HTTP request
// get a complete answer with a status the API uses; without the bearer token nothing but
// 401 comes back and no action runs; the path and query decoding (sessions, users) never
// reads past its input.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <string_view>

#include "relay/admin/admin_api.hpp"
#include "relay/session_info.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace hallpass;
namespace http = boost::beast::http;

namespace {

struct Backend : relay::AdminBackend {
    std::string metrics() override { return "hallpass_workers 1\n"; }
    boost::json::object info() override { return {{"version", "fuzz"}}; }
    relay::ReloadReport reload() override {
        ++actions;
        return {};
    }
    boost::json::object drain() override {
        ++actions;
        return {};
    }
    boost::json::array sessions(const std::string&) override { return {}; }
    std::optional<std::size_t> disconnect_session(const std::string& id) override {
        ++actions;
        if (!relay::SessionId::parse(id)) return std::nullopt;
        return 0;
    }
    std::size_t disconnect_user(const std::string&) override {
        ++actions;
        return 0;
    }
    bool ready() override { return true; }
    std::string token() override { return with_token ? "fuzz-token-0123456789" : ""; }

    bool with_token = false;
    int actions = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    http::request_parser<http::string_body> parser;
    parser.header_limit(8192);
    parser.body_limit(65536);
    boost::beast::error_code ec;
    // The first byte picks whether the listener asks for a token.
    parser.put(boost::asio::buffer(data + 1, size - 1), ec);
    if (ec || !parser.is_header_done()) return 0;
    Backend backend;
    backend.with_token = data[0] & 1;
    const auto answer = relay::handle_admin_request(parser.get(), backend);
    const unsigned status = answer.result_int();
    fuzz::require(status == 200 || status == 400 || status == 401 || status == 404 || status == 405 ||
                      status == 422 || status == 503,
                  "a status the admin API does not use");
    if (backend.with_token && parser.get()[http::field::authorization] != "Bearer fuzz-token-0123456789")
        fuzz::require(status == 401 && backend.actions == 0, "an action without the token");
    const auto decoded = relay::percent_decode(std::string_view(reinterpret_cast<const char*>(data), size));
    if (decoded) fuzz::require(decoded->size() <= size, "decoding grew the text");
    return 0;
}
