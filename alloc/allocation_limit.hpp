// The default for limits.allocations_total: as many allocations as the host can really
// hold. Each allocation holds one relay address (an IP × port from the pool) and one open
// file (its relay socket); each TCP/TLS client holds one more file. Past either bound an
// Allocate would fail anyway, late and for a vaguer reason (EMFILE, or a full pool).
#pragma once

#include <cstdint>

namespace hallpass::alloc {

struct HostCapacity {
    std::uint64_t relay_addresses = 0;    // usable IPs × ports, both families
    std::uint64_t open_files = 0;         // RLIMIT_NOFILE after raising the soft limit
    // The TCP/TLS connections the files must also cover: limits.connections_total, or
    // unlimited (max) when that is 0, and 0 when there is no TCP or TLS listener.
    std::uint64_t connections = 0;
    std::uint32_t workers = 1;
    std::uint32_t listeners = 0;          // udp + tcp + tls addresses, bound per worker
};

struct AllocationLimit {
    enum class Bound { relay_addresses, open_files } bound = Bound::relay_addresses;
    std::uint64_t value = 0;
    // True when the connections alone could use every file left: allocations then get
    // half of them, and the operator should raise the open file limit (LimitNOFILE) or
    // lower limits.connections_total.
    bool files_short = false;
};

// Files the process needs besides relay sockets and client connections: standard streams,
// logging, the signal pipe, and per worker its listeners and event loop descriptors
// (epoll or io_uring, eventfd, timerfd).
inline constexpr std::uint64_t process_files = 32;
inline constexpr std::uint64_t files_per_worker = 8;

AllocationLimit derive_allocation_limit(const HostCapacity& host);

}  // namespace hallpass::alloc
