#include "relay/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <string_view>

namespace hallpass::relay {
namespace {

// Length of the well-formed UTF-8 sequence at `s[i]` (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(s[i + k]); };
    const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
    const std::uint8_t lead = b(0);
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return cont(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!cont(1) || !cont(2) || (lead == 0xE0 && b(1) < 0xA0) || (lead == 0xED && b(1) > 0x9F)) return 0;
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3) || (lead == 0xF0 && b(1) < 0x90) || (lead == 0xF4 && b(1) > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

// JSON strings are UTF-8. Values from the network pass through log_field() already; a
// path or an error text from the system might not be valid, so any byte that does not
// start a well-formed sequence is written as \xNN.
std::string as_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (const std::size_t n = utf8_sequence(text, i)) {
            out.append(text.substr(i, n));
            i += n;
            continue;
        }
        static constexpr char hex[] = "0123456789abcdef";
        const auto byte = static_cast<std::uint8_t>(text[i++]);
        out += "\\x";
        out += hex[byte >> 4];
        out += hex[byte & 0xF];
    }
    return out;
}

// One JSON object per line, built and escaped by Boost.JSON: {"time", "level", "msg"}.
class JsonLineFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        boost::json::object line;
        line["time"] = timestamp(msg.time);
        const auto level = spdlog::level::to_string_view(msg.level);
        line["level"] = std::string_view(level.data(), level.size());
        line["msg"] = as_utf8(std::string_view(msg.payload.data(), msg.payload.size()));
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
    apply_logging(log);
    spdlog::flush_on(spdlog::level::info);
}

void apply_logging(const config::LogConfig& log) {
    spdlog::set_level(static_cast<spdlog::level::level_enum>(log.level));
    if (log.format == config::LogFormat::json)
        spdlog::set_formatter(std::make_unique<JsonLineFormatter>());
    else
        spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
}

}  // namespace hallpass::relay
