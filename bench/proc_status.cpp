#include "bench/proc_status.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <system_error>
#include <fstream>
#include <sstream>
#include <string>

namespace hallpass::bench {

std::optional<std::uint64_t> parse_vm_rss(std::string_view text) {
    const auto at = text.find("VmRSS:");
    if (at == std::string_view::npos) return std::nullopt;
    std::size_t i = at + 6;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::uint64_t kib = 0;
    const auto r = std::from_chars(text.data() + i, text.data() + text.size(), kib);
    if (r.ec != std::errc{} || r.ptr == text.data() + i) return std::nullopt;
    std::string_view rest(r.ptr, static_cast<std::size_t>(text.data() + text.size() - r.ptr));
    if (rest.substr(0, 3) != " kB") return std::nullopt;
    return kib * 1024;
}

std::optional<std::uint64_t> read_vm_rss(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return parse_vm_rss(text.str());
}

namespace {
std::optional<std::string> read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}
}  // namespace

std::optional<std::uint64_t> parse_cpu_ticks(std::string_view text) {
    const auto close = text.rfind(')');
    if (close == std::string_view::npos) return std::nullopt;
    // After ") ": state is field 3; utime and stime are fields 14 and 15.
    std::string_view rest = text.substr(close + 1);
    std::uint64_t sum = 0;
    for (int field = 3; field <= 15; ++field) {
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        const auto end = rest.find(' ');
        const std::string_view value = rest.substr(0, end);
        if (value.empty()) return std::nullopt;
        if (field >= 14) {
            std::uint64_t v = 0;
            const auto r = std::from_chars(value.data(), value.data() + value.size(), v);
            if (r.ec != std::errc{} || r.ptr != value.data() + value.size()) return std::nullopt;
            sum += v;
        }
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    }
    return sum;
}

std::optional<std::uint64_t> read_cpu_ticks(int pid) {
    const auto text = read_text("/proc/" + std::to_string(pid) + "/stat");
    return text ? parse_cpu_ticks(*text) : std::nullopt;
}

std::map<int, std::uint64_t> read_thread_ticks(int pid) {
    std::map<int, std::uint64_t> out;
    std::error_code ec;
    const std::string dir = "/proc/" + std::to_string(pid) + "/task";
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        int tid = 0;
        const auto r = std::from_chars(name.data(), name.data() + name.size(), tid);
        if (r.ec != std::errc{}) continue;
        const auto text = read_text(it->path().string() + "/stat");
        if (const auto ticks = text ? parse_cpu_ticks(*text) : std::nullopt) out[tid] = *ticks;
    }
    return out;
}

void ProcessCpu::start(std::int64_t now_ns) {
    started_ns_ = now_ns;
    ticks_ = pid_ ? read_cpu_ticks(*pid_) : std::nullopt;
    thread_ticks_ = pid_ ? read_thread_ticks(*pid_) : std::map<int, std::uint64_t>{};
}

std::optional<double> ProcessCpu::busiest_thread_percent(std::int64_t now_ns) const {
    if (!pid_ || thread_ticks_.empty() || now_ns <= started_ns_) return std::nullopt;
    std::uint64_t most = 0;
    for (const auto& [tid, ticks] : read_thread_ticks(*pid_)) {
        const auto before = thread_ticks_.find(tid);
        const std::uint64_t from = before == thread_ticks_.end() ? 0 : before->second;  // a thread started since
        if (ticks >= from) most = std::max(most, ticks - from);
    }
    const double seconds = static_cast<double>(most) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    return 100.0 * seconds / (static_cast<double>(now_ns - started_ns_) / 1e9);
}

std::optional<double> ProcessCpu::percent(std::int64_t now_ns) const {
    if (!pid_ || !ticks_ || now_ns <= started_ns_) return std::nullopt;
    const auto now = read_cpu_ticks(*pid_);
    if (!now || *now < *ticks_) return std::nullopt;
    const double seconds = static_cast<double>(*now - *ticks_) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    return 100.0 * seconds / (static_cast<double>(now_ns - started_ns_) / 1e9);
}

}  // namespace hallpass::bench
