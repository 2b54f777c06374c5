// Logging set-up (spdlog): level and text or JSON lines, from the config.
#pragma once

#include "config/config.hpp"

namespace hallpass::relay {

void setup_logging(const config::LogConfig& log);

}  // namespace hallpass::relay
