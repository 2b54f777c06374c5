#include "relay/ctl.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <thread>

namespace hallpass::relay {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct Endpoint {
    std::string host;
    std::string port;
};

// "http://HOST:PORT" or "HOST:PORT" ([v6]:port too); the admin API speaks plain HTTP.
Endpoint parse_admin_url(std::string url) {
    if (url.rfind("https://", 0) == 0) throw std::invalid_argument("--admin: the admin API is plain HTTP (got " + url + ")");
    if (url.rfind("http://", 0) == 0) url = url.substr(7);
    if (!url.empty() && url.back() == '/') url.pop_back();
    const auto colon = url.rfind(':');
    if (colon == std::string::npos || colon + 1 == url.size())
        throw std::invalid_argument("--admin: expected http://HOST:PORT (got " + url + ")");
    std::string host = url.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return {host, url.substr(colon + 1)};
}

struct Answer {
    unsigned status = 0;
    std::string body;
};

Answer call(const Endpoint& e, http::verb verb, const std::string& target, const std::string& token) {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(resolver.resolve(e.host, e.port));
    http::request<http::string_body> request(verb, target, 11);
    request.set(http::field::host, e.host);
    request.set(http::field::user_agent, "hallpass-ctl");
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return {response.result_int(), response.body()};
}

std::string read_token_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("--token-file: cannot read " + path);
    std::string token;
    std::getline(in, token);
    return token;
}

std::string percent_encode(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') out += static_cast<char>(c);
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

std::string text_of(const boost::json::value& v) {
    return v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v);
}

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u]) : fmt::format("{:.1f} {}", bytes, units[u]);
}

void print_sessions(const boost::json::value& v) {
    const auto& sessions = v.at("sessions").as_array();
    std::cout << fmt::format("{:<12} {:<28} {:<5} {:<24} {:<24} {:>8} {:>10} {:>10} {:>5} {:>5}\n", "ID", "USER",
                             "PROTO", "CLIENT", "RELAY", "AGE", "UP", "DOWN", "PERMS", "CHANS");
    for (const auto& s : sessions)
        std::cout << fmt::format("{:<12} {:<28} {:<5} {:<24} {:<24} {:>7.0f}s {:>10} {:>10} {:>5} {:>5}\n",
                                 text_of(s.at("id")), text_of(s.at("user")), text_of(s.at("transport")),
                                 text_of(s.at("client")), text_of(s.at("relay")), s.at("age_seconds").to_number<double>(),
                                 human_bytes(s.at("bytes_to_peers").to_number<double>()),
                                 human_bytes(s.at("bytes_to_client").to_number<double>()),
                                 text_of(s.at("permissions")), text_of(s.at("channels")));
    std::cout << sessions.size() << " session(s)\n";
}

void print_object(const boost::json::object& o, int indent = 0) {
    for (const auto& [key, value] : o) {
        if (value.is_object()) {
            std::cout << std::string(indent, ' ') << std::string(key) << ":\n";
            print_object(value.as_object(), indent + 2);
        } else if (value.is_array()) {
            std::string items;
            for (const auto& item : value.as_array()) items += (items.empty() ? "" : ", ") + text_of(item);
            std::cout << std::string(indent, ' ') << std::string(key) << ": " << (items.empty() ? "-" : items) << "\n";
        } else {
            std::cout << std::string(indent, ' ') << std::string(key) << ": " << text_of(value) << "\n";
        }
    }
}

// After POST /drain: a drained hallpass exits by itself, so the drain is over once its admin
// listener refuses connections (twice running, a second apart). Anything else — a slow
// answer, a reset, an error status — is retried: returning early would let the kubelet's
// SIGTERM end the lessons a preStop hook is there to wait for.
int wait_for_exit(const Endpoint& e, const std::string& token, unsigned timeout_seconds) {
    const auto start = std::chrono::steady_clock::now();
    long last = -2;
    int refused = 0;
    std::string last_problem;
    while (true) {
        try {
            const Answer a = call(e, http::verb::get, "/info", token);
            refused = 0;
            if (a.status == 401 || a.status == 403) {
                std::cerr << "hallpass ctl: " << a.status << " from /info: the token was refused\n";
                return 1;
            }
            const auto body = boost::json::parse(a.body);
            const auto* count = body.is_object() ? body.as_object().if_contains("allocations") : nullptr;
            const long now = count && count->is_number() ? static_cast<long>(count->to_number<double>()) : -1;
            if (now != last && now >= 0) std::cout << "draining: " << now << " allocation(s) left" << std::endl;
            last = now;
        } catch (const boost::system::system_error& error) {
            if (error.code() == asio::error::connection_refused) {
                if (++refused >= 2) {
                    std::cout << "drained: hallpass has stopped" << std::endl;
                    return 0;
                }
            } else if (error.code().message() != last_problem) {
                last_problem = error.code().message();
                std::cerr << "hallpass ctl: " << last_problem << "; still waiting\n";
            }
        }
        const auto waited = std::chrono::steady_clock::now() - start;
        if (timeout_seconds != 0 && waited >= std::chrono::seconds(timeout_seconds)) {
            std::cerr << "hallpass ctl: still draining after " << timeout_seconds << " s\n";
            return 1;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

}  // namespace

int run_ctl(int argc, char** argv) {
    CLI::App app{"hallpass ctl: talk to a running hallpass through its admin API", "hallpass ctl"};
    app.require_subcommand(1);
    std::string admin = "http://127.0.0.1:9641";
    std::string token, token_file;
    bool as_json = false;
    app.add_option("--admin", admin, "The admin listener (admin.listen)")->capture_default_str();
    app.add_option("--token", token, "The bearer token (admin.token); or set HALLPASS_ADMIN_TOKEN");
    app.add_option("--token-file", token_file, "Read the bearer token from this file's first line");
    app.add_flag("--json", as_json, "Print the API's JSON answer");
    std::string user, session;
    auto* sessions = app.add_subcommand("sessions", "List allocations");
    sessions->add_option("--user", user, "Only this user (name, or shared-secret user id)");
    auto* disconnect = app.add_subcommand("disconnect", "End allocations at once (their relay ports go back to the pool)");
    auto* by_session = disconnect->add_option("--session", session, "One session, by the ID `sessions` shows");
    auto* by_user = disconnect->add_option("--user", user, "Every session of this user");
    by_session->excludes(by_user);
    auto* reload = app.add_subcommand("reload", "Re-read the config file and the TLS files");
    auto* drain = app.add_subcommand("drain", "Send new allocations to the alternates; exit when the last one ends");
    bool wait = false;
    unsigned wait_timeout = 0;
    drain->add_flag("--wait", wait, "Return only once hallpass has stopped (for a preStop hook)");
    drain->add_option("--timeout", wait_timeout, "With --wait: give up after this many seconds (0: never)")
        ->capture_default_str();
    auto* info = app.add_subcommand("info", "Version, uptime, engine, allocations");
    try {
        app.parse(argc, argv);
        if (disconnect->parsed() && session.empty() && user.empty())
            throw CLI::ValidationError("disconnect", "needs --session ID or --user NAME");
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    try {
        if (!token_file.empty()) token = read_token_file(token_file);
        if (token.empty())
            if (const char* env = std::getenv("HALLPASS_ADMIN_TOKEN")) token = env;
        const Endpoint endpoint = parse_admin_url(admin);
        http::verb verb = http::verb::get;
        std::string target;
        if (sessions->parsed()) target = "/sessions" + (user.empty() ? "" : "?user=" + percent_encode(user));
        else if (disconnect->parsed()) {
            verb = http::verb::delete_;
            target = session.empty() ? "/users/" + percent_encode(user) + "/sessions" : "/sessions/" + session;
        } else if (reload->parsed()) {
            verb = http::verb::post;
            target = "/reload";
        } else if (drain->parsed()) {
            verb = http::verb::post;
            target = "/drain";
        } else if (info->parsed()) {
            target = "/info";
        }
        const Answer a = call(endpoint, verb, target, token);
        const auto body = boost::json::parse(a.body);
        if (as_json) std::cout << boost::json::serialize(body) << "\n";
        if (a.status >= 300) {
            const auto* error = body.as_object().if_contains("error");
            std::cerr << "hallpass ctl: " << a.status << ": " << (error ? text_of(*error) : a.body) << "\n";
            return 1;
        }
        if (drain->parsed() && wait) {
            if (!as_json) print_object(body.as_object());
            return wait_for_exit(endpoint, token, wait_timeout);
        }
        if (as_json) return 0;
        if (sessions->parsed()) print_sessions(body);
        else if (disconnect->parsed()) std::cout << "ended " << text_of(body.at("ended")) << " allocation(s)\n";
        else print_object(body.as_object());
        return 0;
    } catch (const std::invalid_argument& e) {
        std::cerr << "hallpass ctl: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "hallpass ctl: " << admin << ": " << e.what() << "\n";
        return 1;
    }
}

}  // namespace hallpass::relay
