#include "relay/cli.hpp"

#include <map>
#include <stdexcept>

namespace hallpass::relay {
namespace {

// Common settings get their own flags; everything else goes through --set key=value.
const std::map<std::string, std::string> override_flags = {
    {"--listen-udp", "listen.udp"},   {"--realm", "realm"},
    {"--workers", "workers"},         {"--log-level", "log.level"},
    {"--log-format", "log.format"},   {"--relay-range", "relay.ranges"},
    {"--secret-list", "auth.secrets"}, {"--io-engine", "io_engine"},
};

CommandLine::Command command_of(const std::string& word) {
    if (word == "serve") return CommandLine::Command::serve;
    if (word == "check-config") return CommandLine::Command::check_config;
    if (word == "credentials") return CommandLine::Command::credentials;
    if (word == "help" || word == "--help" || word == "-h") return CommandLine::Command::help;
    if (word == "version" || word == "--version") return CommandLine::Command::version;
    throw std::invalid_argument("unknown command '" + word + "'");
}

}  // namespace

const char* usage() {
    return "usage:\n"
           "  hallpass serve [--config FILE] [--listen-udp ADDR[,ADDR]] [--realm R] [--workers N]\n"
           "                 [--log-level L] [--log-format text|json] [--relay-range CIDR[,CIDR]]\n"
           "                 [--io-engine auto|epoll|io_uring] [--set key=value]...\n"
           "  hallpass check-config FILE [--set key=value]...\n"
           "  hallpass credentials (--secret S | --secret-file F) [--user U] [--ttl SECONDS] [--url URL]...\n"
           "                       [--format json|bbb]\n"
           "  hallpass credentials --config FILE [--user U] [--ttl SECONDS] [--url URL]... [--format json|bbb]\n"
           "      json: an RTCIceServer with a TURN REST username and password for a browser;\n"
           "      bbb: BigBlueButton's turn-stun-servers.xml, with the secret (bbb-web makes the credentials)\n"
           "  hallpass ctl [--admin URL] [--token T] [--json] sessions|disconnect|reload|drain|info (ctl --help)\n"
           "  hallpass probe HOST [--proxy URL] [--json] ... (probe --help): what this network lets through\n"
           "The default config file is " HALLPASS_DEFAULT_CONFIG ".\n";
}

CommandLine parse_command_line(int argc, char** argv) {
    CommandLine cl;
    if (argc < 2) return cl;
    cl.command = command_of(argv[1]);
    for (int i = 2; i < argc; ++i) {
        const std::string flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
            return argv[++i];
        };
        if (flag == "--config" || flag == "-c") cl.config_path = value();
        else if (flag == "--set") cl.overrides.push_back(config::parse_set_flag(value()));
        else if (auto it = override_flags.find(flag); it != override_flags.end())
            cl.overrides.push_back({it->second, value()});
        else if (flag == "--secret") cl.secret = value();
        else if (flag == "--secret-file") cl.secret_file = value();
        else if (flag == "--user") cl.user = value();
        else if (flag == "--url") cl.urls.push_back(value());
        else if (flag == "--format") {
            const std::string v = value();
            if (v == "json") cl.format = CommandLine::Format::json;
            else if (v == "bbb") cl.format = CommandLine::Format::bbb;
            else throw std::invalid_argument("--format: '" + v + "' is not json or bbb");
        }
        else if (flag == "--ttl") {
            const std::string v = value();
            try {
                cl.ttl = std::stoll(v);
            } catch (const std::exception&) {
                throw std::invalid_argument("--ttl: '" + v + "' is not a number of seconds");
            }
            if (*cl.ttl <= 0) throw std::invalid_argument("--ttl: must be positive");
        } else if (cl.command == CommandLine::Command::check_config && cl.config_path.empty() &&
                   flag.rfind("-", 0) != 0)
            cl.config_path = flag;
        else
            throw std::invalid_argument("unknown option '" + flag + "'");
    }
    return cl;
}

}  // namespace hallpass::relay
