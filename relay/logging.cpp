#include "relay/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace hallpass::relay {

void setup_logging(const config::LogConfig& log) {
    auto logger = spdlog::stdout_logger_mt("hallpass");
    spdlog::set_default_logger(logger);
    spdlog::set_level(static_cast<spdlog::level::level_enum>(log.level));
    // Our messages are key=value text without quotes, so they sit inside a JSON string.
    if (log.format == config::LogFormat::json)
        spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%v"})");
    else
        spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    spdlog::flush_on(spdlog::level::info);
}

}  // namespace hallpass::relay
