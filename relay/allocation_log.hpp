// One log line when an allocation starts and one when it ends — never per packet.
#pragma once

#include "alloc/allocation.hpp"
#include "turn/allocation_host.hpp"

namespace hallpass::relay {

void log_allocation_created(unsigned worker, const alloc::Allocation& a);
void log_allocation_ended(unsigned worker, const alloc::Allocation& a, turn::EndReason why,
                          alloc::Millis now);

}  // namespace hallpass::relay
