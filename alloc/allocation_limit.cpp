#include "alloc/allocation_limit.hpp"

#include <algorithm>

namespace hallpass::alloc {

AllocationLimit derive_allocation_limit(const HostCapacity& host) {
    const std::uint64_t fixed = process_files + std::uint64_t{host.workers} * (files_per_worker + host.listeners);
    const std::uint64_t usable = host.open_files > fixed ? host.open_files - fixed : 0;
    AllocationLimit limit;
    std::uint64_t files_for_allocations = 0;
    if (host.connections < usable) {
        files_for_allocations = usable - host.connections;
    } else {
        // As many connections as there are files, or more: split them.
        limit.files_short = true;
        files_for_allocations = usable / 2;
    }
    limit.value = std::min(host.relay_addresses, files_for_allocations);
    limit.bound = files_for_allocations < host.relay_addresses ? AllocationLimit::Bound::open_files
                                                              : AllocationLimit::Bound::relay_addresses;
    return limit;
}

}  // namespace hallpass::alloc
