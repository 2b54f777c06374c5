// Logging set-up (spdlog): level and text or JSON lines, from the config.
#pragma once

#include "config/config.hpp"

namespace hallpass::relay {

// Once, at start: makes the logger.
void setup_logging(const config::LogConfig& log);
// A reload's level and format, on the logger setup_logging made; safe while workers log.
void apply_logging(const config::LogConfig& log);

}  // namespace hallpass::relay
