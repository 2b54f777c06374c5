// The hallpass config schema: which keys exist, their types, ranges and cross-checks.
// Internal to config/; config_loader.cpp feeds it the YAML tree after overrides.
#pragma once

#include <filesystem>

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace hallpass::config::detail {

// Where relative paths in the config (tls.certificate, tls.private_key) lead: values from
// the file are relative to the file's directory, values from the command line to the
// current directory, as any path typed into a shell.
struct PathBase {
    std::filesystem::path file_dir;
    std::filesystem::path current_dir;
};

// Reads and validates the whole document; throws ConfigError on the first problem.
Config read_config(const Field& root, const PathBase& paths);

}  // namespace hallpass::config::detail
