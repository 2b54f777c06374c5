#include "relay/check/turn_port_http.hpp"

#include <sstream>

#include "relay/check/check_page.hpp"
#include "relay/check/check_report.hpp"

namespace hallpass::relay {
namespace {

namespace http = boost::beast::http;

// The page runs only what it came with: no other host, no inline script, no framing.
constexpr const char* page_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

HttpResponse text(http::status status, const char* body) {
    HttpResponse r(status, 11);
    r.set(http::field::content_type, "text/plain; charset=utf-8");
    r.set(http::field::cache_control, "no-store");
    r.body() = body;
    return r;
}

HttpResponse page(const CheckAsset& asset) {
    HttpResponse r(http::status::ok, 11);
    r.set(http::field::content_type, asset.content_type);
    r.set("Content-Security-Policy", page_policy);
    r.set("X-Content-Type-Options", "nosniff");
    r.set("Referrer-Policy", "no-referrer");
    r.set(http::field::cache_control, "no-cache");
    r.body() = std::string(asset.body);
    return r;
}

HttpResponse json_answer(const boost::json::object& o) {
    HttpResponse r(http::status::ok, 11);
    r.set(http::field::content_type, "application/json");
    r.set(http::field::cache_control, "no-store");
    r.set("X-Content-Type-Options", "nosniff");
    r.body() = boost::json::serialize(o);
    return r;
}

// Only a JSON request: a page on another site cannot send one without a CORS preflight,
// which is not answered, so it cannot spend a school's budget from its visitors' browsers.
bool is_json(const HttpRequest& request) {
    const std::string_view type = request[http::field::content_type];
    return type.substr(0, type.find(';')) == "application/json";
}

HttpResponse credentials(const HttpRequest& request, const TurnPortConnection& c, TurnPortBackend& backend) {
    if (!is_json(request)) return text(http::status::unsupported_media_type, "send Content-Type: application/json\n");
    if (!backend.take_check_credentials(c.requester.client)) {
        HttpResponse r = text(http::status::too_many_requests, "too many checks from this address: try again shortly\n");
        r.set(http::field::retry_after, std::to_string(backend.check_retry_after_seconds()));
        return r;
    }
    return json_answer(check_credentials(backend.snapshot(), c.requester, backend.now_unix(), backend.fresh_nonce()));
}

// Verdicts for what the page measured. Costs no credentials, so it is not counted; the
// body is bounded by the reader (16 KiB) and Boost.JSON's parser depth.
HttpResponse report(const HttpRequest& request, const TurnPortConnection& c, TurnPortBackend& backend) {
    if (!is_json(request)) return text(http::status::unsupported_media_type, "send Content-Type: application/json\n");
    boost::system::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 8;
    const auto measured = boost::json::parse(request.body(), ec, {}, options);
    if (ec) return text(http::status::bad_request, "the body is not JSON\n");
    const auto verdicts = check_report(check_offer(backend.snapshot().config(), c.requester), measured);
    if (!verdicts) {
        HttpResponse r = text(http::status::bad_request, "");
        r.body() = verdicts.error().to_string() + "\n";
        return r;
    }
    return json_answer(*verdicts);
}

HttpResponse not_allowed(const char* allow) {
    HttpResponse r = text(http::status::method_not_allowed, "method not allowed\n");
    r.set(http::field::allow, allow);
    return r;
}

HttpResponse get(std::string_view path, bool check) {
    if (path == "/healthz") return text(http::status::ok, "ok\n");
    if (check)
        if (const auto asset = find_check_asset(path)) return page(*asset);
    return text(http::status::not_found, "not found\n");
}

}  // namespace

HttpResponse answer_turn_port_request(const HttpRequest& request, const TurnPortConnection& connection,
                                      TurnPortBackend& backend) {
    const std::string_view target = request.target();
    const std::string_view path = target.substr(0, target.find('?'));
    const bool check = connection.tls && backend.snapshot().config().check.enabled;
    if (check && path == "/check/credentials") {
        if (request.method() != http::verb::post) return not_allowed("POST");
        return credentials(request, connection, backend);
    }
    if (check && path == "/check/report") {
        if (request.method() != http::verb::post) return not_allowed("POST");
        return report(request, connection, backend);
    }
    if (request.method() != http::verb::get && request.method() != http::verb::head) return not_allowed("GET, HEAD");
    return get(path, check);
}

std::string turn_port_response_bytes(HttpResponse response, const HttpRequest& request, bool keep_alive) {
    response.version(request.version() == 10 ? 10 : 11);
    response.keep_alive(keep_alive && request.keep_alive() && response.keep_alive());
    response.prepare_payload();
    if (request.method() == http::verb::head) response.body().clear();  // Content-Length stays GET's
    std::ostringstream out;
    out << response;
    return std::move(out).str();
}

HttpResponse turn_port_too_large(bool header) {
    HttpResponse r = text(header ? http::status::request_header_fields_too_large : http::status::payload_too_large,
                          "request too large\n");
    r.keep_alive(false);
    return r;
}

}  // namespace hallpass::relay
