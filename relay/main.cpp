// hallpass: the process entry. Parses the command line, loads the config (a bad one stops
// here with file, key and reason) and runs the chosen command.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "config/config_loader.hpp"
#include "config/secrets_file.hpp"
#include "relay/bbb_turn_servers.hpp"
#include "relay/bound_udp_sockets.hpp"
#include "relay/cli.hpp"
#include "relay/ctl.hpp"
#include "relay/check/probe/probe_command.hpp"
#include "relay/ice_server.hpp"
#include "relay/server.hpp"
#include "relay/tls_context.hpp"

namespace {

using namespace hallpass;
constexpr const char* default_config = HALLPASS_DEFAULT_CONFIG;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
}

// A warning, not an error: the other program may be gone by the time hallpass starts, and
// the operator may mean to share (an address whose ports are split between the two).
// check-config is the unit's ExecStartPre: nothing in this look may stop a start.
void warn_of_relay_port_clashes(const config::Config& c) {
    std::vector<alloc::BoundUdpSocket> sockets;
    try {
        sockets = relay::bound_udp_sockets_of_other_programs();
    } catch (const std::exception& e) {
        std::cerr << c.source << ": note: could not look for other programs on the relay addresses: " << e.what()
                  << "\n";
        return;
    }
    const auto clashes =
        alloc::relay_port_clashes(c.relay.ranges, {c.relay.ports.min, c.relay.ports.max}, sockets);
    for (const auto& k : clashes)
        std::cerr << c.source << ": warning: relay.ranges: " << k.owner << " has " << k.sockets << " UDP socket(s) on "
                  << k.ip.to_string() << " in relay.ports " << c.relay.ports.min << "-" << c.relay.ports.max
                  << " (ports " << k.lowest_port << "-" << k.highest_port
                  << "); the two would take ports the other needs (its binds fail on ports hallpass holds). "
                     "Give hallpass relay addresses no other service binds (a media server such as BigBlueButton's uses UDP "
                     "16384-32768 on its own addresses), or a port range apart from the other service's.\n";
}

int check_config(const relay::CommandLine& cl) {
    if (cl.config_path.empty()) throw std::invalid_argument("check-config needs a FILE");
    const auto c = config::load_config(cl.config_path, cl.overrides);
    // The certificate and key are checked too, unless they may be made at first start.
    const bool files_expected = !c.listen.tls.empty() && !(c.tls.self_signed &&
                                !std::filesystem::exists(c.tls.certificate) && !std::filesystem::exists(c.tls.private_key));
    if (files_expected) {
        try {
            relay::make_server_context({c.tls.certificate, c.tls.private_key, c.tls.self_signed});
        } catch (const std::runtime_error& e) {
            throw config::ConfigError(c.source + ": " + e.what());
        }
    }
    warn_of_relay_port_clashes(c);
    std::cout << c.source << ": ok (realm " << c.realm << "; listeners: " << c.listen.udp.size() << " udp, "
              << c.listen.tcp.size() << " tcp, " << c.listen.tls.size() << " tls; "
              << c.relay.ranges.size() << " relay range(s))\n";
    return 0;
}

int credentials(const relay::CommandLine& cl) {
    relay::IceServerRequest r;
    r.now_unix = unix_now();
    r.user_id = cl.user;
    r.urls = cl.urls;
    r.secret = cl.secret;
    if (!cl.secret_file.empty()) {
        // A secret on the command line is visible to every user of the host (ps).
        if (!r.secret.empty()) throw std::invalid_argument("credentials: give --secret or --secret-file, not both");
        auto file = config::read_secrets_file(cl.secret_file);
        if (!file.error.empty()) throw std::invalid_argument("--secret-file: " + file.error);
        r.secret = file.secrets.front();
    }
    r.ttl_seconds = cl.ttl.value_or(86400);
    if (!cl.config_path.empty()) {
        const auto c = config::load_config(cl.config_path, cl.overrides);
        if (r.secret.empty() && !c.auth.secrets.empty()) r.secret = c.auth.secrets.front();
        if (r.urls.empty()) r.urls = relay::turn_urls(c);
        if (!cl.ttl) r.ttl_seconds = c.auth.credential_ttl;
    }
    if (r.secret.empty())
        throw std::invalid_argument("credentials needs --secret-file F, --secret S or --config FILE with auth.secrets");
    if (r.urls.empty()) r.urls = {"turn:127.0.0.1:3478?transport=udp"};
    if (cl.format == relay::CommandLine::Format::bbb)
        std::cout << relay::bbb_turn_stun_servers_xml({r.urls, r.secret, r.ttl_seconds});
    else
        std::cout << relay::ice_server_json(r);
    return 0;
}

int run(const relay::CommandLine& cl) {
    switch (cl.command) {
        case relay::CommandLine::Command::serve: {
            relay::ConfigSource source{cl.config_path.empty() ? default_config : cl.config_path, cl.overrides};
            return relay::serve(config::load_config(source.path, source.overrides), source);
        }
        case relay::CommandLine::Command::check_config: return check_config(cl);
        case relay::CommandLine::Command::credentials: return credentials(cl);
        case relay::CommandLine::Command::version: std::cout << "hallpass " << HALLPASS_VERSION << "\n"; return 0;
        case relay::CommandLine::Command::help: std::cout << relay::usage(); return 0;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::string_view(argv[1]) == "ctl") return relay::run_ctl(argc - 1, argv + 1);
    if (argc >= 2 && std::string_view(argv[1]) == "probe") return relay::run_probe_command(argc - 1, argv + 1);
    try {
        return run(relay::parse_command_line(argc, argv));
    } catch (const config::ConfigError& e) {
        std::cerr << "hallpass: invalid configuration: " << e.what() << "\n";
        return 2;
    } catch (const std::invalid_argument& e) {
        std::cerr << "hallpass: " << e.what() << "\n" << relay::usage();
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "hallpass: cannot start: " << e.what() << "\n";
        return 1;
    }
}
