#include "relay/check/probe/probe_command.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <iostream>

#include "relay/check/check_report.hpp"
#include "relay/check/probe/probe_run.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::relay {
namespace {

namespace json = boost::json;
using namespace probe;

struct Options {
    std::string host;
    std::uint16_t udp = 3478, tcp = 3478, tls = 443;
    std::string user, password, secret, proxy, ca;
    bool as_json = false;
    double seconds = 3, timeout = 5;
};

std::string text(const json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_null()) return "-";
    return json::serialize(v);
}

void print_table(const Options& o, const ProbeOutcome& outcome, const json::object& report) {
    std::cout << "hallpass probe " << o.host << (o.proxy.empty() ? "" : " (through the proxy " + o.proxy + ")") << "\n\n";
    const auto& stun = outcome.stun;
    if (stun.contains("ok") && stun.at("ok").as_bool())
        std::cout << "STUN over UDP: reflexive address " << text(stun.at("reflexive")) << ", round trip "
                  << text(stun.at("rtt_ms")) << " ms\n\n";
    else if (stun.contains("error"))
        std::cout << "STUN over UDP: " << text(stun.at("error")) << "\n\n";
    std::cout << std::left << std::setw(38) << "PATH" << std::setw(10) << "RESULT" << "DETAIL\n";
    for (const auto& p : report.at("paths").as_array()) {
        const auto& path = p.as_object();
        std::string detail = text(path.at("detail"));
        std::cout << std::setw(38) << text(path.at("name")) << std::setw(10) << text(path.at("verdict")) << detail << "\n";
    }
    std::cout << "\n" << text(report.at("summary")) << " " << text(report.at("advice")) << "\n\n"
              << text(report.at("it").at("text"));
}

int run(const Options& o) {
    ProbeTarget target;
    target.host = o.host;
    target.ca_file = o.ca;
    target.timeout = std::chrono::milliseconds(static_cast<long>(o.timeout * 1000));
    target.media = std::chrono::milliseconds(static_cast<long>(o.seconds * 1000));
    std::string proxy = o.proxy;
    if (proxy.empty())
        for (const char* name : {"https_proxy", "HTTPS_PROXY"})
            if (const char* env = std::getenv(name); env && *env) {
                proxy = env;
                break;
            }
    if (!proxy.empty()) {
        target.proxy = parse_proxy(proxy);
        if (!target.proxy) {
            std::cerr << "hallpass probe: --proxy: '" << proxy << "' is not http://HOST:PORT\n";
            return 2;
        }
    }
    json::object offer;
    ProbeCredentials credentials;
    if (!o.user.empty()) {
        credentials = {o.user, o.password};
        offer = local_offer(o.host, o.udp, o.tcp, o.tls);
    } else if (!o.secret.empty()) {
        const std::string username = turn::rest_username(std::time(nullptr) + 600, "hallpass-probe");
        credentials = {username, turn::rest_password(o.secret, username)};
        offer = local_offer(o.host, o.udp, o.tcp, o.tls);
    } else {
        auto fetched = fetch_offer(target, o.tls);
        if (!fetched.error.empty()) {
            std::cerr << "hallpass probe: " << fetched.error << "\n";
            return 2;
        }
        offer = std::move(fetched.offer);
        credentials = std::move(fetched.credentials);
    }
    auto outcome = run_probe(target, offer, credentials);
    const auto report = check_report(offer, outcome.measured);
    if (!report) {
        std::cerr << "hallpass probe: " << report.error().to_string() << "\n";
        return 2;
    }
    if (o.as_json) {
        json::object out{{"host", o.host},
                         {"proxy", proxy.empty() ? json::value(nullptr) : json::value(proxy)},
                         {"stun", outcome.stun},
                         {"measured", outcome.measured},
                         {"report", *report}};
        std::cout << json::serialize(out) << "\n";
    } else {
        print_table(o, outcome, *report);
    }
    return report->at("can_join").as_bool() ? 0 : 1;
}

}  // namespace

int run_probe_command(int argc, char** argv) {
    CLI::App app{"hallpass probe: what this network lets through to a hallpass server, and what to open", "hallpass probe"};
    Options o;
    app.add_option("host", o.host, "The server's name (as on its certificate) or address")->required();
    app.add_option("--udp-port", o.udp, "UDP port, with --user or --secret (0: skip)")->capture_default_str();
    app.add_option("--tcp-port", o.tcp, "TCP port, with --user or --secret (0: skip)")->capture_default_str();
    app.add_option("--tls-port", o.tls, "TLS port; the check's credentials come from there")->capture_default_str();
    auto* user = app.add_option("--user", o.user, "A static user (with --password) instead of the server's check credentials");
    app.add_option("--password", o.password, "The static user's password")->needs(user);
    auto* secret = app.add_option("--secret", o.secret, "A shared secret (TURN REST) instead of the check credentials");
    secret->excludes(user);
    app.add_option("--proxy", o.proxy, "HTTP CONNECT proxy for TCP and TLS, http://HOST:PORT (default: $https_proxy)");
    app.add_option("--ca", o.ca, "Trust this CA file for TLS instead of the system's");
    app.add_option("--seconds", o.seconds, "Seconds of classroom-rate media per path")->capture_default_str()->check(CLI::Range(1.0, 60.0));
    app.add_option("--timeout", o.timeout, "Seconds to wait for each connection and answer")->capture_default_str()->check(CLI::Range(1.0, 60.0));
    app.add_flag("--json", o.as_json, "Print the measurements, verdicts and IT report as JSON");
    app.footer("Exit status: 0 students can join, 1 they cannot, 2 usage error or no credentials.");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    return run(o);
}

}  // namespace hallpass::relay
