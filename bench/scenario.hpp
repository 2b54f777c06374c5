// What every scenario gets from main, and the scenarios themselves (one file each:
// scenario_saturate.cpp, scenario_latency.cpp, scenario_burst.cpp, scenario_memory.cpp,
// scenario_classroom.cpp).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "bench/event_loop.hpp"
#include "bench/options.hpp"
#include "bench/progress.hpp"
#include "bench/report.hpp"
#include "bench/session.hpp"

namespace hallpass::bench {

struct Context {
    const Options& options;
    EventLoop& loop;
    Endpoint endpoint;
    Progress& progress;
    std::uint64_t seed;  // for the TURN clients' transaction ids
};

// The run cannot go on: the server cannot be reached, refused the credentials, or answered
// something the bench cannot use. main prints it and exits with status 2.
struct BenchError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

Report run_saturate(Context& c);
Report run_latency(Context& c);
Report run_burst(Context& c);
Report run_memory(Context& c);
Report run_classroom(Context& c);
// C classrooms, whatever --classrooms says (capacity's steps). A failed set-up releases what
// it made before the BenchError leaves.
Report run_classroom(Context& c, std::uint32_t classrooms);
// capacity prints its own table, JSON and page; it returns what main prints (nothing).
std::string run_capacity(Context& c);

}  // namespace hallpass::bench
