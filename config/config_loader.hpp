// Turns one YAML file plus command-line overrides into a validated Config, or throws a
// ConfigError that names the source (file or "command line"), the key path and what is
// wrong, e.g. "/etc/hallpass.yaml: relay.ports.min: must be between 1 and 65535 (got 70000)".
// Nothing invalid gets through: start-up stops on the first error (STYLE.md, "fail fast").
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace hallpass::config {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One command-line setting: a dotted key ("relay.ports.min", "listen.udp") and its text.
// For list keys the value is comma-separated ("127.0.0.1:3478,[::1]:3478"; "" clears);
// relay.advertise items are "bound=public"; listen.tcp and listen.tls items are plain
// addresses (no proxy_protocol). auth.users can only be set in the file. Relative paths
// given here (tls.certificate=...) are relative to the current directory.
struct Override {
    std::string key;
    std::string value;
};

// Reads the file, then parse_config(). The path becomes Config::source. Relative paths
// inside it (tls.certificate, tls.private_key) are resolved against its directory.
Config load_config(const std::string& path, const std::vector<Override>& overrides = {});

// Overrides are applied to the YAML tree before validation, so they pass the same checks.
// Relative paths are resolved against the current directory.
Config parse_config(std::string_view yaml_text, std::string source_name,
                    const std::vector<Override>& overrides = {});

// "key=value" (the argument of --set) → Override; the value may be empty or contain '='.
Override parse_set_flag(std::string_view text);

}  // namespace hallpass::config
