#include "tests/support/allocation_counter.hpp"

#include <openssl/crypto.h>

#include <cerrno>
#include <cstdlib>
#include <new>

namespace {
bool counting = false;
std::size_t heap_allocations = 0;
std::size_t openssl_allocations = 0;
}  // namespace

#if defined(__SANITIZE_ADDRESS__)
void* operator new(std::size_t n) {
    if (counting) ++heap_allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {
constexpr bool openssl_counted = false;
}  // namespace
#else
// glibc's own allocator under its internal names: the replacements count, then forward.
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) {
    if (counting) ++heap_allocations;
    return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
    if (counting) ++heap_allocations;
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
    if (counting) ++heap_allocations;
    return __libc_realloc(p, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) {
    if (counting) ++heap_allocations;
    return __libc_memalign(alignment, n);
}
void* memalign(std::size_t alignment, std::size_t n) {
    if (counting) ++heap_allocations;
    return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
    if (counting) ++heap_allocations;
    if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
    *out = __libc_memalign(alignment, n);
    return *out || n == 0 ? 0 : ENOMEM;
}
void free(void* p) { __libc_free(p); }
}

namespace {
void* openssl_malloc(std::size_t n, const char*, int) {
    if (counting) ++openssl_allocations;
    return __libc_malloc(n);
}
void* openssl_realloc(void* p, std::size_t n, const char*, int) {
    if (counting) ++openssl_allocations;
    return __libc_realloc(p, n);
}
void openssl_free(void* p, const char*, int) { __libc_free(p); }
// Before main, so before OpenSSL has allocated anything (it refuses the change after that).
const bool openssl_counted = CRYPTO_set_mem_functions(openssl_malloc, openssl_realloc, openssl_free) == 1;
}  // namespace
#endif

namespace hallpass::testing {

bool openssl_allocations_counted() { return openssl_counted; }

void count_allocations(bool on) { counting = on; }

void reset_allocation_counts() {
    heap_allocations = 0;
    openssl_allocations = 0;
}

AllocationCounts allocation_counts() { return {heap_allocations, openssl_allocations}; }

}  // namespace hallpass::testing
