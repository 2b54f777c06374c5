// The server's resident memory, from /proc/PID/status ("VmRSS:   12345 kB").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hallpass::bench {

// Pure: the VmRSS line of a /proc/PID/status text, in bytes.
std::optional<std::uint64_t> parse_vm_rss(std::string_view status_text);
// Reads /proc/PID/status; nullopt when the process is gone or unreadable.
std::optional<std::uint64_t> read_vm_rss(int pid);

}  // namespace hallpass::bench
