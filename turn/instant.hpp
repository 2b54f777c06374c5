// Instant: the time the relay layer passes into the TURN core with each event. Lifetimes
// run on the monotonic clock; REST usernames and nonces carry wall-clock (Unix) time.
#pragma once

#include <cstdint>

#include "alloc/allocation.hpp"

namespace hallpass::turn {

struct Instant {
    alloc::Millis monotonic{0};
    std::int64_t unix_seconds = 0;
};

}  // namespace hallpass::turn
