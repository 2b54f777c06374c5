// Counter: a count that one thread writes and any thread may read, for the metrics a scrape
// sums across workers (DESIGN.md "Running it"). The owner adds with a relaxed load and store
// — a plain add, no locked instruction on the packet path — which is exact because it is the
// only writer; a reader sees some recent value, never a torn one.
#pragma once

#include <atomic>
#include <cstdint>

namespace hallpass::turn {

class Counter {
public:
    void add(std::uint64_t n = 1) { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

}  // namespace hallpass::turn
