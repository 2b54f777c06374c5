#include "alloc/relay_address_book.hpp"

#include "alloc/even_port_pair.hpp"

namespace hallpass::alloc {

RelayAddressBook::RelayAddressBook(RelayAddressPool pool, QuotaLedger ledger, std::uint64_t seed,
                                   std::size_t reservation_capacity)
    : pool_(std::move(pool)),
      ledger_(std::move(ledger)),
      reservations_(reservation_capacity),
      rng_(seed) {}

QuotaLedger::Verdict RelayAddressBook::reserve_quota(std::string_view identity, std::size_t units) {
    return ledger_.reserve(identity, units);
}

std::optional<RelayCandidate> RelayAddressBook::acquire(const RelayRequest& request) {
    if (request.reserve_next) {
        auto pair = acquire_even_pair(pool_, request.family, rng_);
        if (!pair) return std::nullopt;
        return RelayCandidate{pair->first, pair->second};
    }
    auto address = pool_.acquire(request.family, rng_, request.even_port);
    if (!address) return std::nullopt;
    return RelayCandidate{*address, std::nullopt};
}

bool RelayAddressBook::reserve(const ReservationToken& token, const TransportAddress& address,
                               std::string_view owner, Millis now) {
    return reservations_.add(token, Reservation{address, std::string(owner)}, now);
}

std::optional<TransportAddress> RelayAddressBook::claim(const ReservationToken& token,
                                                        std::string_view identity, Millis now,
                                                        RelayRefusal& refusal) {
    const Reservation* held = reservations_.peek(token, now);
    if (!held) {
        refusal = RelayRefusal::unknown_token;
        return std::nullopt;
    }
    if (held->owner != identity) {
        switch (ledger_.reserve(identity)) {
            case QuotaLedger::Verdict::user_quota_reached:
                refusal = RelayRefusal::user_quota;
                return std::nullopt;
            case QuotaLedger::Verdict::total_quota_reached:
                refusal = RelayRefusal::total_quota;
                return std::nullopt;
            case QuotaLedger::Verdict::ok: break;
        }
        ledger_.release(held->owner);
    }
    return reservations_.take(token, now)->address;
}

std::size_t RelayAddressBook::expire_reservations(Millis now) {
    const auto expired = reservations_.expire(now);
    for (const auto& r : expired) {
        release(r.address);
        ledger_.release(r.owner);
    }
    return expired.size();
}

void RelayAddressBook::release(const TransportAddress& address) {
    if (!pool_.release(address)) held_outside_.erase(address);
}

void RelayAddressBook::replace_pool(RelayAddressPool next) {
    std::vector<TransportAddress> held = pool_.addresses_in_use();
    held.insert(held.end(), held_outside_.begin(), held_outside_.end());
    held_outside_.clear();
    for (const auto& address : held)
        if (!next.acquire_specific(address)) held_outside_.insert(address);
    pool_ = std::move(next);
}

void RelayAddressBook::end_allocation(std::string_view identity, const TransportAddress& address) {
    release(address);
    ledger_.release(identity);
}

}  // namespace hallpass::alloc
