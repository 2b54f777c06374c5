#include "relay/admin/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace hallpass::relay {
namespace {

// Seconds since the epoch at which the machine booted (/proc/stat "btime").
double boot_time() {
    std::ifstream stat("/proc/stat");
    std::string key;
    double value = 0;
    while (stat >> key) {
        if (key == "btime" && stat >> value) return value;
        stat.ignore(4096, '\n');
    }
    return 0;
}

}  // namespace

ProcessStats read_process_stats() {
    ProcessStats p;
    std::ifstream in("/proc/self/stat");
    std::string line;
    std::getline(in, line);
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const auto close = line.rfind(')');
    if (close != std::string::npos) {
        std::istringstream rest(line.substr(close + 2));
        std::string field[22];
        for (auto& f : field) rest >> f;  // fields 3..24
        const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
        const auto number = [&](int n) { return std::stod(field[n - 3]); };
        p.cpu_seconds = (number(14) + number(15)) / ticks;
        p.start_time_seconds = boot_time() + number(22) / ticks;
        p.virtual_bytes = static_cast<std::uint64_t>(number(23));
        p.resident_bytes = static_cast<std::uint64_t>(number(24)) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    }
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec))
        ++p.open_fds;
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) == 0) p.max_fds = r.rlim_cur;
    return p;
}

}  // namespace hallpass::relay
