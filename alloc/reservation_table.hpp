// ReservationTable: relay addresses held for a later Allocate that presents their
// RESERVATION-TOKEN (RFC 8656 §7.2, §14.9): EVEN-PORT with the R bit allocates an even port
// and keeps the next one for the client's second (RTCP) allocation. A reservation that no
// Allocate claims in time goes back to the pool.
//
// It sits under the lock that guards the address pool, so nothing in it is linear in its
// size: tokens are hashed, and since every reservation is held for the same time, the
// oldest is always the next to expire (a FIFO). The table is bounded; when full, a new
// reservation is refused rather than growing it.
#pragma once

#include <array>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "alloc/allocation.hpp"

namespace hallpass::alloc {

using ReservationToken = std::array<std::uint8_t, 8>;

// Who holds a reserved address: its quota counts against this identity until an Allocate
// claims the address or the reservation expires.
struct Reservation {
    TransportAddress address;
    std::string owner;
};

class ReservationTable {
public:
    // RFC 8656 §7.2 suggests holding a reserved address about 30 seconds.
    static constexpr Millis hold{std::chrono::seconds(30)};
    static constexpr std::size_t default_capacity = 16384;

    explicit ReservationTable(std::size_t capacity = default_capacity) : capacity_(capacity) {}

    // False when the table is full or the token is already in use (tokens are random, so a
    // repeat means a broken generator; the caller refuses the request either way).
    bool add(const ReservationToken& token, Reservation reservation, Millis now);
    // The reservation, removed from the table; nullopt if unknown or expired.
    std::optional<Reservation> take(const ReservationToken& token, Millis now);
    // Who holds the token, without claiming it; nullptr if unknown or expired.
    const Reservation* peek(const ReservationToken& token, Millis now) const;
    // Removes the expired reservations and returns them, for the pool and the quota.
    std::vector<Reservation> expire(Millis now);
    std::size_t size() const { return entries_.size(); }
    std::size_t capacity() const { return capacity_; }

private:
    struct Entry {
        Reservation reservation;
        Millis expires;
    };
    static std::uint64_t key_of(const ReservationToken& token) {
        std::uint64_t key;
        std::memcpy(&key, token.data(), sizeof key);
        return key;
    }

    std::size_t capacity_;
    boost::unordered_flat_map<std::uint64_t, Entry> entries_;
    // Tokens in the order they were added, which is the order they expire in. A token that
    // was claimed early is still here and is skipped when its turn comes.
    std::deque<std::pair<std::uint64_t, Millis>> by_age_;
};

}  // namespace hallpass::alloc
