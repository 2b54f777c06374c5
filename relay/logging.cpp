#include "relay/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>

namespace hallpass::relay {
namespace {

// One JSON object per line, built and escaped by Boost.JSON: {"time", "level", "msg"}.
// Fields that come from the network are passed through log_field() before they reach a
// message, so the message is valid UTF-8 as JSON requires.
class JsonLineFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        boost::json::object line;
        line["time"] = timestamp(msg.time);
        const auto level = spdlog::level::to_string_view(msg.level);
        line["level"] = std::string_view(level.data(), level.size());
        line["msg"] = std::string_view(msg.payload.data(), msg.payload.size());
        const std::string text = boost::json::serialize(line);
        dest.append(text.data(), text.data() + text.size());
        dest.push_back('\n');
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLineFormatter>(); }

private:
    // RFC 3339 in UTC with milliseconds, as log collectors expect.
    static std::string timestamp(spdlog::log_clock::time_point t) {
        const auto since = t.time_since_epoch();
        const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since).count();
        const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since).count() % 1000;
        std::tm utc{};
        ::gmtime_r(&seconds, &utc);
        char buf[40];
        const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
        return std::string(buf, n) + "." + std::to_string(1000 + millis).substr(1) + "Z";
    }
};

}  // namespace

void setup_logging(const config::LogConfig& log) {
    auto logger = spdlog::stdout_logger_mt("hallpass");
    spdlog::set_default_logger(logger);
    spdlog::set_level(static_cast<spdlog::level::level_enum>(log.level));
    if (log.format == config::LogFormat::json)
        spdlog::set_formatter(std::make_unique<JsonLineFormatter>());
    else
        spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    spdlog::flush_on(spdlog::level::info);
}

}  // namespace hallpass::relay
