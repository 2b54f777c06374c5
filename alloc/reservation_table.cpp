#include "alloc/reservation_table.hpp"

namespace hallpass::alloc {

bool ReservationTable::add(const ReservationToken& token, Reservation reservation, Millis now) {
    if (entries_.size() >= capacity_) return false;
    // Claimed entries leave stale places in by_age_. Those at the front go at once; when
    // claims behind a live front have let the queue reach twice the table's size, one pass
    // drops them all (at most once per `capacity_` additions, so constant on average).
    while (!by_age_.empty() && !entries_.contains(by_age_.front().first)) by_age_.pop_front();
    if (by_age_.size() >= 2 * capacity_) {
        std::erase_if(by_age_, [&](const auto& place) {
            const auto it = entries_.find(place.first);
            return it == entries_.end() || it->second.expires != place.second;
        });
    }
    const auto key = key_of(token);
    const auto [it, inserted] = entries_.try_emplace(key, Entry{std::move(reservation), now + hold});
    if (!inserted) return false;
    by_age_.emplace_back(key, it->second.expires);
    return true;
}

std::optional<Reservation> ReservationTable::take(const ReservationToken& token, Millis now) {
    const auto it = entries_.find(key_of(token));
    if (it == entries_.end() || now >= it->second.expires) return std::nullopt;
    Reservation out = std::move(it->second.reservation);
    entries_.erase(it);
    return out;
}

const Reservation* ReservationTable::peek(const ReservationToken& token, Millis now) const {
    const auto it = entries_.find(key_of(token));
    if (it == entries_.end() || now >= it->second.expires) return nullptr;
    return &it->second.reservation;
}

std::vector<Reservation> ReservationTable::expire(Millis now) {
    std::vector<Reservation> out;
    while (!by_age_.empty() && by_age_.front().second <= now) {
        const auto key = by_age_.front().first;
        by_age_.pop_front();
        const auto it = entries_.find(key);
        // Claimed already, or claimed and its token reused by a newer reservation.
        if (it == entries_.end() || it->second.expires > now) continue;
        out.push_back(std::move(it->second.reservation));
        entries_.erase(it);
    }
    return out;
}

}  // namespace hallpass::alloc
