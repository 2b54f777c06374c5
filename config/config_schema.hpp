// The hallpass config schema: which keys exist, their types, ranges and cross-checks.
// Internal to config/; config_loader.cpp feeds it the YAML tree after overrides.
#pragma once

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace hallpass::config::detail {

// Reads and validates the whole document; throws ConfigError on the first problem.
Config read_config(const Field& root);

}  // namespace hallpass::config::detail
