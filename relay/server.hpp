// `hallpass serve`: workers, signals, the start-up summary and a clean stop.
#pragma once

#include "config/config.hpp"

namespace hallpass::relay {

// Runs until SIGINT or SIGTERM; throws std::runtime_error when it cannot start.
int serve(const config::Config& config);

// The TURN URLs of a config's listeners, as a browser wants them.
std::vector<std::string> turn_urls(const config::Config& config);

}  // namespace hallpass::relay
