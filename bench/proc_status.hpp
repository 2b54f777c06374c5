// The server's resident memory, from /proc/PID/status ("VmRSS:   12345 kB"), and its CPU
// time, from /proc/PID/stat (utime + stime, all threads), for a server on this machine
// (--server-pid).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

namespace hallpass::bench {

// Pure: the VmRSS line of a /proc/PID/status text, in bytes.
std::optional<std::uint64_t> parse_vm_rss(std::string_view status_text);
// Reads /proc/PID/status; nullopt when the process is gone or unreadable.
std::optional<std::uint64_t> read_vm_rss(int pid);

// Pure: utime + stime, in clock ticks, of a /proc/PID/stat text. The command name may
// hold spaces and parentheses, so the fields are counted from its last ')'.
std::optional<std::uint64_t> parse_cpu_ticks(std::string_view stat_text);
std::optional<std::uint64_t> read_cpu_ticks(int pid);

// Each thread's utime + stime (/proc/PID/task/TID/stat), by thread id; empty when unreadable.
std::map<int, std::uint64_t> read_thread_ticks(int pid);

// CPU a process used over an interval, as % of one core: start() then percent(), and its
// busiest thread's (a relay worker is one thread: it saturates at 100 % whatever the total).
class ProcessCpu {
public:
    explicit ProcessCpu(std::optional<int> pid) : pid_(pid) {}
    void start(std::int64_t now_ns);
    // nullopt without a pid, or when the process could not be read.
    std::optional<double> percent(std::int64_t now_ns) const;
    std::optional<double> busiest_thread_percent(std::int64_t now_ns) const;

private:
    std::optional<int> pid_;
    std::optional<std::uint64_t> ticks_;
    std::map<int, std::uint64_t> thread_ticks_;
    std::int64_t started_ns_ = 0;
};

}  // namespace hallpass::bench
