// ReservationTable: relay addresses held for a later Allocate that presents their
// RESERVATION-TOKEN (RFC 8656 §7.2, §14.9): EVEN-PORT with the R bit allocates an even port
// and keeps the next one for the client's second (RTCP) allocation. A reservation that no
// Allocate claims in time goes back to the pool.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "alloc/allocation.hpp"

namespace hallpass::alloc {

using ReservationToken = std::array<std::uint8_t, 8>;

class ReservationTable {
public:
    // RFC 8656 §7.2 suggests holding a reserved address about 30 seconds.
    static constexpr Millis hold{std::chrono::seconds(30)};

    void add(const ReservationToken& token, const TransportAddress& address, Millis now);
    // The reserved address, removed from the table; nullopt if unknown or expired.
    std::optional<TransportAddress> take(const ReservationToken& token, Millis now);
    // Removes the expired reservations and returns their addresses, for the pool.
    std::vector<TransportAddress> expire(Millis now);
    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        ReservationToken token;
        TransportAddress address;
        Millis expires;
    };
    std::vector<Entry> entries_;  // few at any time: only RTCP-style pairs in flight
};

}  // namespace hallpass::alloc
