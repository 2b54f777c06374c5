// Counts the heap allocations a test binary makes while counting is on, for the tests that
// assert the packet paths allocate nothing (DESIGN.md "The hot path"). allocation_counter.cpp
// replaces malloc and its family, so every allocation is seen whatever asks for it
// (operator new, Asio's handler memory through aligned_alloc, C libraries), and counts
// OpenSSL's own allocations apart (CRYPTO_set_mem_functions), because libssl makes some per
// TLS record that hallpass cannot avoid. Under AddressSanitizer, which owns malloc, only
// operator new is replaced and OpenSSL is not counted. Link the .cpp into one binary only
// once: it defines the process's malloc.
#pragma once

#include <cstddef>

namespace hallpass::testing {

struct AllocationCounts {
    std::size_t heap = 0;     // everything but OpenSSL's own
    std::size_t openssl = 0;  // through OpenSSL's allocator
};

// Whether OpenSSL's allocations are counted apart: false under AddressSanitizer, and when
// OpenSSL had allocated before main (it then refuses the counting functions).
bool openssl_allocations_counted();

void count_allocations(bool on);
void reset_allocation_counts();
AllocationCounts allocation_counts();

// The allocations made while `f` runs.
template <class F>
AllocationCounts allocations_in(F&& f) {
    reset_allocation_counts();
    count_allocations(true);
    f();
    count_allocations(false);
    return allocation_counts();
}

}  // namespace hallpass::testing
