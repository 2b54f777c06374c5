// A relay range whose addresses are not on this host would fail every Allocate with 508;
// better to say so at start, and to refuse a reload that would bring one in.
#pragma once

#include "config/config.hpp"

namespace hallpass::relay {

// Throws std::runtime_error "relay.ranges: ADDRESS is not an address of this host; ..."
// when an address drawn from a range of `config` cannot be bound here.
void check_relay_ranges(const config::Config& config);

}  // namespace hallpass::relay
