// RelayAddressBook: what all workers share about relay addresses — the pool of free ones,
// the quota ledger, and the addresses that EVEN-PORT reserved — and the rules that tie them
// together: a user's quota counts every address they hold, allocated or reserved, and a
// reservation is claimed only by its token. Pure and not thread-safe: relay/ keeps one
// behind a mutex, touched only when an allocation is made or freed. The binding of sockets
// between these steps is open_relay_address's (relay_address_opening.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "alloc/quota_ledger.hpp"
#include "alloc/relay_address_pool.hpp"
#include "alloc/reservation_table.hpp"

namespace hallpass::alloc {

// What an Allocate asks of its relay address (RFC 8656 §7.2).
struct RelayRequest {
    AddressFamily family = AddressFamily::ipv4;
    bool even_port = false;
    bool reserve_next = false;                     // EVEN-PORT with R: keep port + 1 too
    std::optional<ReservationToken> token;         // RESERVATION-TOKEN: take that address
};

// Why no relay address was given: the first two become 486 and 508 (RFC 8656 §7.2), the
// others 508 as well — the server cannot meet the request now.
enum class RelayRefusal { user_quota, total_quota, no_address, unknown_token };

// A relay address to bind, and for EVEN-PORT with R the odd one above it.
struct RelayCandidate {
    TransportAddress address;
    std::optional<TransportAddress> next;
};

class RelayAddressBook {
public:
    RelayAddressBook(RelayAddressPool pool, QuotaLedger ledger, std::uint64_t seed,
                     std::size_t reservation_capacity = ReservationTable::default_capacity);

    bool supports(AddressFamily family) const { return pool_.supports(family); }

    // Counts `units` of quota for `identity` (two when the next port is to be reserved).
    QuotaLedger::Verdict reserve_quota(std::string_view identity, std::size_t units);
    void release_quota(std::string_view identity) { ledger_.release(identity); }

    // A free address as the request asks (even, or an even/odd pair), or nullopt.
    std::optional<RelayCandidate> acquire(const RelayRequest& request);
    void release(const TransportAddress& address);

    // A reload's relay ranges and ports: new allocations draw from `next`. Addresses still
    // held (allocated or reserved) stay taken: in `next` when it contains them, else aside
    // until they are released, so that a later pool that contains them again does not hand
    // them out twice.
    void replace_pool(RelayAddressPool next);
    // A reload's quota limits, for what is counted from now on.
    void set_limits(std::size_t total, std::size_t per_user) { ledger_.set_limits(total, per_user); }

    // Keeps `address` for whoever presents `token`; its quota unit, already counted for
    // `owner`, stays counted until it is claimed or expires. False when the table is full.
    bool reserve(const ReservationToken& token, const TransportAddress& address,
                 std::string_view owner, Millis now);
    // The reserved address for `identity`. The owner's quota unit moves to the claimer: kept
    // as it is when they are the same user, else the claimer must have room for it (the
    // reservation then stays for its owner).
    std::optional<TransportAddress> claim(const ReservationToken& token,
                                          std::string_view identity, Millis now,
                                          RelayRefusal& refusal);
    // Expired reservations go back to the pool and their owners' quotas.
    std::size_t expire_reservations(Millis now);

    // An allocation ended: its address and its unit of quota come back.
    void end_allocation(std::string_view identity, const TransportAddress& address);

    const RelayAddressPool& pool() const { return pool_; }
    const QuotaLedger& ledger() const { return ledger_; }
    const ReservationTable& reservations() const { return reservations_; }

private:
    RelayAddressPool pool_;
    // Held addresses outside the current pool (ranges or ports changed by a reload).
    std::unordered_set<TransportAddress> held_outside_;
    QuotaLedger ledger_;
    ReservationTable reservations_;
    std::mt19937_64 rng_;
};

}  // namespace hallpass::alloc
