// The answer of `hallpass-bench capacity`, three ways: a table for the terminal, one JSON
// object (--json) and a self-contained HTML page (--html FILE: inline SVG charts of
// students against loss, latency percentiles and CPU, and the table of steps; no script,
// no font or style from anywhere else) that a planner can send on. Pure: strings in, out.
#pragma once

#include <string>

#include "bench/capacity_search.hpp"

namespace hallpass::bench {

// What the run was: server, transport mix, step duration, limits; shown in every form.
struct CapacitySetup {
    std::string server;
    std::string mix;  // "udp 70 %, tcp 10 %, tls 20 %"
    double step_seconds = 0;
    std::string generated;  // when, as the caller formats it
};

std::string capacity_table(const CapacitySetup& setup, const CapacitySearch& search);
std::string capacity_json(const CapacitySetup& setup, const CapacitySearch& search);
std::string capacity_html(const CapacitySetup& setup, const CapacitySearch& search);

}  // namespace hallpass::bench
