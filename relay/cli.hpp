// The command line: `hallpass serve | check-config | credentials` and their flags.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config_loader.hpp"

namespace hallpass::relay {

struct CommandLine {
    enum class Command { serve, check_config, credentials, help, version };
    Command command = Command::help;
    std::string config_path;
    std::vector<config::Override> overrides;
    // credentials
    std::string secret;
    std::string secret_file;  // the first secret of this file, kept off the command line
    std::string user = "user";
    std::optional<std::int64_t> ttl;
    std::vector<std::string> urls;
    enum class Format { json, bbb };  // an RTCIceServer, or BigBlueButton's turn-stun-servers.xml
    Format format = Format::json;
};

// Throws std::invalid_argument with a message for the operator.
CommandLine parse_command_line(int argc, char** argv);
const char* usage();

}  // namespace hallpass::relay
