#include "relay/admin/admin_api.hpp"

#include <openssl/crypto.h>

#include <string_view>

namespace hallpass::relay {
namespace {

namespace http = boost::beast::http;

HttpResponse answer(http::status status, std::string_view content_type, std::string body) {
    HttpResponse r(status, 11);
    r.set(http::field::content_type, content_type);
    r.set(http::field::cache_control, "no-store");
    r.body() = std::move(body);
    return r;
}

HttpResponse json(http::status status, const boost::json::value& v) {
    return answer(status, "application/json", boost::json::serialize(v) + "\n");
}

HttpResponse problem(http::status status, std::string_view what) {
    return json(status, boost::json::object{{"error", what}});
}

// Compared in constant time for tokens of the same length.
bool authorized(const HttpRequest& request, const std::string& token) {
    if (token.empty()) return true;
    constexpr std::string_view scheme = "Bearer ";
    const auto header = request[http::field::authorization];
    const std::string_view given(header.data(), header.size());
    if (given.size() != scheme.size() + token.size() || given.substr(0, scheme.size()) != scheme) return false;
    return CRYPTO_memcmp(given.data() + scheme.size(), token.data(), token.size()) == 0;
}

// The value of `key` in a query string ("user=alice&x=1"), decoded; "" when absent.
std::optional<std::string> query_value(std::string_view query, std::string_view key) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == key) return percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::string();
}

HttpResponse session_routes(http::verb method, std::string_view path, std::string_view query, AdminBackend& backend) {
    if (path == "/sessions") {
        if (method != http::verb::get) return problem(http::status::method_not_allowed, "method not allowed here");
        const auto user = query_value(query, "user");
        if (!user) return problem(http::status::bad_request, "malformed user");
        return json(http::status::ok, boost::json::object{{"sessions", backend.sessions(*user)}});
    }
    constexpr std::string_view sessions = "/sessions/", users = "/users/", tail = "/sessions";
    if (path.starts_with(sessions)) {
        if (method != http::verb::delete_) return problem(http::status::method_not_allowed, "method not allowed here");
        const auto ended = backend.disconnect_session(std::string(path.substr(sessions.size())));
        if (!ended) return problem(http::status::bad_request, "not a session id");
        if (*ended == 0) return problem(http::status::not_found, "no such session");
        return json(http::status::ok, boost::json::object{{"ended", *ended}});
    }
    if (path.starts_with(users) && path.ends_with(tail) && path.size() > users.size() + tail.size()) {
        if (method != http::verb::delete_) return problem(http::status::method_not_allowed, "method not allowed here");
        const auto user = percent_decode(path.substr(users.size(), path.size() - users.size() - tail.size()));
        if (!user || user->empty() || user->find('/') != std::string::npos)
            return problem(http::status::bad_request, "malformed user");
        return json(http::status::ok, boost::json::object{{"ended", backend.disconnect_user(*user)}});
    }
    return problem(http::status::not_found, "no such path");
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        int value = 0;
        for (int k = 1; k <= 2; ++k) {
            if (i + k >= text.size()) return std::nullopt;
            const char c = text[i + k];
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
            if (digit < 0) return std::nullopt;
            value = value * 16 + digit;
        }
        out += static_cast<char>(value);
        i += 2;
    }
    return out;
}

boost::json::object to_json(const ReloadReport& report) {
    boost::json::array changed, restart;
    for (const auto& k : report.changed) changed.emplace_back(k);
    for (const auto& k : report.needs_restart) restart.emplace_back(k);
    boost::json::object o{{"applied", report.applied}, {"generation", report.generation}};
    if (!report.error.empty()) o["error"] = report.error;
    o["changed"] = std::move(changed);
    o["needs_restart"] = std::move(restart);
    return o;
}

namespace {

// What Prometheus and a kubelet read: nothing in it names a user or changes anything.
bool is_probe_read(const HttpRequest& request) {
    const std::string_view target(request.target().data(), request.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    const bool get = request.method() == http::verb::get || request.method() == http::verb::head;
    return get && (path == "/metrics" || path == "/healthz" || path == "/readyz");
}

}  // namespace

HttpResponse handle_admin_request(const HttpRequest& request, AdminBackend& backend) {
    const bool open = backend.open_metrics() && is_probe_read(request);
    if (!open && !authorized(request, backend.token())) {
        auto r = problem(http::status::unauthorized, "this admin listener needs its bearer token (admin.token)");
        r.set(http::field::www_authenticate, "Bearer");
        return r;
    }
    const std::string_view target(request.target().data(), request.target().size());
    const auto question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1);
    const auto method = request.method();
    const bool get = method == http::verb::get || method == http::verb::head;
    if (path == "/metrics" && get)
        return answer(http::status::ok, "text/plain; version=0.0.4; charset=utf-8", backend.metrics());
    if (path == "/healthz" && get) return answer(http::status::ok, "text/plain", "ok\n");
    if (path == "/readyz" && get)
        return backend.ready() ? answer(http::status::ok, "text/plain", "ready\n")
                               : answer(http::status::service_unavailable, "text/plain", "draining\n");
    if (path == "/info" && get) return json(http::status::ok, backend.info());
    if (path == "/reload" && method == http::verb::post) {
        const auto report = backend.reload();
        return json(report.applied ? http::status::ok : http::status::unprocessable_entity, to_json(report));
    }
    if (path == "/drain" && method == http::verb::post) return json(http::status::ok, backend.drain());
    for (std::string_view known : {"/metrics", "/healthz", "/readyz", "/info", "/reload", "/drain"})
        if (path == known) return problem(http::status::method_not_allowed, "method not allowed here");
    return session_routes(method, path, query, backend);
}

}  // namespace hallpass::relay
