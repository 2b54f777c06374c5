// The standard process_* metrics of a Prometheus client (CPU, memory, descriptors, start
// time), read from /proc for this process.
#pragma once

#include <cstdint>

namespace hallpass::relay {

struct ProcessStats {
    double cpu_seconds = 0;  // user + system
    std::uint64_t resident_bytes = 0;
    std::uint64_t virtual_bytes = 0;
    std::uint64_t open_fds = 0;
    std::uint64_t max_fds = 0;
    double start_time_seconds = 0;  // since the Unix epoch
};

ProcessStats read_process_stats();

}  // namespace hallpass::relay
