// RelayAddressPool: hands out relay transport addresses — an IP drawn from the configured
// CIDR ranges × a port from the relay port range (DESIGN.md "Shape"), never the same one
// twice until it is released. Pure bookkeeping: relay/ binds the sockets, and wraps the
// pool in a mutex (it is touched only when an allocation is made or freed).
//
// RFC 8656 §7.2: the server picks the relayed transport address; ports are chosen at
// random across the range (as RFC 6056 recommends) so that they are hard to guess.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include "alloc/cidr_block.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::alloc {

// Inclusive. The default is what school IT admins are told to open (UDP 16384–32767).
struct PortRange {
    std::uint16_t min = 16384;
    std::uint16_t max = 32767;
};

class RelayAddressPool {
public:
    // Usable hosts of a range: its members, minus
    //  - IPv4 with prefix < /31: the network and broadcast addresses (/31 per RFC 3021 and
    //    /32 keep every member);
    //  - IPv6 with prefix < /127: the all-zero Subnet-Router anycast address (RFC 4291
    //    §2.6.1), which routers answer; /127 (RFC 6164) and /128 keep every member. IPv6
    //    has no broadcast, so the all-ones address stays usable.
    // A range nested inside another is dropped (CIDR blocks nest or are disjoint), so no IP
    // is counted twice. Throws std::invalid_argument when ports.min is 0 or above
    // ports.max — config/ rejects that first; this is the backstop.
    explicit RelayAddressPool(std::vector<CidrBlock> ranges, PortRange ports = {});

    // A free address of `family`, uniform over the usable hosts of all its ranges (so
    // weighted by range size), then a random port; a taken port moves on to the next free
    // one, a full IP to another IP. even_port: RFC 8656 §14.6 EVEN-PORT, the port is even.
    // nullopt when the family has no range or every address (every even one) is in use.
    // `rng` is any generator of full 64-bit words (std::mt19937_64); nothing here is random
    // on its own, so tests can replay a seed.
    template <std::uniform_random_bit_generator Urbg>
    std::optional<TransportAddress> acquire(AddressFamily family, Urbg& rng,
                                            bool even_port = false);
    // Takes exactly this address (a RESERVATION-TOKEN's port, or the odd port beside an
    // EVEN-PORT R=1 one). False when it is in use, outside the port range, or not one of
    // our usable relay IPs.
    bool acquire_specific(const TransportAddress& address);
    // False when the address was not in use (double release is harmless, and visible).
    bool release(const TransportAddress& address);

    bool is_in_use(const TransportAddress& address) const;
    // Every address in use, in no particular order (for a reload that replaces the pool).
    std::vector<TransportAddress> addresses_in_use() const;
    bool supports(AddressFamily family) const;
    // Whether this is one of our usable relay IPs.
    bool contains(const IpAddress& address) const;
    std::size_t in_use() const;
    std::size_t in_use(AddressFamily family) const;
    // Usable hosts × ports; saturates at UINT64_MAX (an IPv6 /64 alone holds 2^64 hosts).
    std::uint64_t capacity(AddressFamily family) const;
    // IPs that currently hold per-IP state (for memory checks): at most one per IP with an
    // address in use, whatever the size of the ranges.
    std::size_t tracked_ips() const { return ports_by_ip_.size(); }
    PortRange ports() const { return ports_; }

private:
    // 128-bit arithmetic over addresses and host counts; GCC and Clang both provide it.
    __extension__ typedef unsigned __int128 Uint128;

    // A type-erased view of the caller's generator, so the logic lives in the .cpp.
    struct RandomWords {
        void* state;
        std::uint64_t (*next)(void*);
        std::uint64_t operator()() const { return next(state); }
    };

    struct Range {
        CidrBlock block;
        Uint128 base = 0;         // network address as an integer
        Uint128 last_offset = 0;  // offset of the last member (2^host_bits - 1)
        bool skip_first = false;  // network / subnet-router anycast address excluded
        bool skip_last = false;   // IPv4 broadcast address excluded
        Uint128 hosts = 0;        // usable members
    };

    struct Family {
        std::vector<Range> ranges;
        Uint128 hosts = 0;
        std::size_t in_use = 0;
        std::size_t in_use_even = 0;  // in-use addresses whose port is even
    };

    // Lazy per-IP state, created on first use and erased when empty: an IPv6 /64 cannot be
    // enumerated. One bit per port of the range (16384 ports → 2 KiB per IP in use).
    struct PortSet {
        std::vector<std::uint64_t> words;
        std::uint32_t used = 0;
        std::uint32_t used_even = 0;
    };

    std::optional<TransportAddress> acquire_with(AddressFamily family, RandomWords rng,
                                                 bool even_port);
    Family& family_of(AddressFamily family);
    const Family& family_of(AddressFamily family) const;
    bool has_free_address(const Family& family, bool even_port) const;
    bool has_room(const IpAddress& ip, bool even_port) const;
    IpAddress host_at(const Family& family, Uint128 index) const;
    std::optional<std::uint32_t> find_free_port(const PortSet& set, std::uint32_t start,
                                                bool even_port) const;
    std::optional<std::uint32_t> port_offset(std::uint16_t port) const;
    bool is_even_offset(std::uint32_t offset) const;
    void mark(const IpAddress& ip, PortSet& set, std::uint32_t offset);
    void unmark(const IpAddress& ip, PortSet& set, std::uint32_t offset);
    static Uint128 random_below(Uint128 bound, RandomWords rng);

    PortRange ports_;
    std::uint32_t port_count_ = 0;
    std::uint32_t even_port_count_ = 0;
    std::uint64_t even_pattern_ = 0;  // bits of a word whose offsets are even ports
    Family v4_;
    Family v6_;
    std::unordered_map<IpAddress, PortSet> ports_by_ip_;
};

template <std::uniform_random_bit_generator Urbg>
std::optional<TransportAddress> RelayAddressPool::acquire(AddressFamily family, Urbg& rng,
                                                          bool even_port) {
    static_assert(Urbg::min() == 0 && Urbg::max() == std::numeric_limits<std::uint64_t>::max(),
                  "acquire needs a generator of full 64-bit words, such as std::mt19937_64");
    const RandomWords words{&rng, [](void* state) {
                                return static_cast<std::uint64_t>((*static_cast<Urbg*>(state))());
                            }};
    return acquire_with(family, words, even_port);
}

}  // namespace hallpass::alloc
