// The bench's clock and its own CPU use (getrusage); the only place it reads either.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdint>

namespace hallpass::bench {

inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct CpuSample {
    std::int64_t wall_ns = 0;
    std::int64_t user_us = 0;
    std::int64_t system_us = 0;
};

// The whole process's CPU, or with `thread` only the calling thread's.
inline CpuSample cpu_sample(bool thread = false) {
    rusage u{};
    ::getrusage(thread ? RUSAGE_THREAD : RUSAGE_SELF, &u);
    return {now_ns(), u.ru_utime.tv_sec * 1000000L + u.ru_utime.tv_usec,
            u.ru_stime.tv_sec * 1000000L + u.ru_stime.tv_usec};
}

}  // namespace hallpass::bench
