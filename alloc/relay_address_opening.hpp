// open_relay_address: the steps from an Allocate's wish to a bound relay address, with the
// socket work left to the caller (DESIGN.md: policy here, I/O in relay/):
//   - quota first, counted for the user's identity (two units for EVEN-PORT with R);
//   - a RESERVATION-TOKEN claims its reserved address instead;
//   - a random address from the pool, bound by the caller; one that another process holds
//     (a media server beside us: EADDRINUSE) is kept aside while we try others, so it is
//     not drawn again, and goes back afterwards;
//   - for EVEN-PORT with R, the odd neighbour is kept under the caller's fresh token.
// The book is reached only through `with_book`, which relay/ runs under its mutex, so no
// lock is held while a socket is bound; tests pass the book straight through.
#pragma once

#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "alloc/relay_address_book.hpp"

namespace hallpass::alloc {

// What binding a candidate address came to.
enum class BindOutcome { bound, in_use_elsewhere, failed };

struct RelayOpened {
    TransportAddress address;
    std::optional<ReservationToken> reservation;  // set when the next port was kept
};

struct RelayOpening {
    ReservationToken fresh_token{};  // the token to hand out if the next port is reserved
    int bind_attempts = 64;          // candidates tried before giving up
};

using RelayOpenResult = std::variant<RelayOpened, RelayRefusal>;

namespace detail {

inline std::optional<RelayRefusal> refusal_of(QuotaLedger::Verdict v) {
    switch (v) {
        case QuotaLedger::Verdict::user_quota_reached: return RelayRefusal::user_quota;
        case QuotaLedger::Verdict::total_quota_reached: return RelayRefusal::total_quota;
        case QuotaLedger::Verdict::ok: break;
    }
    return std::nullopt;
}

template <class WithBook, class Bind>
RelayOpenResult claim_reserved(WithBook& with_book, std::string_view identity,
                               const ReservationToken& token, Millis now, Bind& bind) {
    RelayRefusal refusal = RelayRefusal::unknown_token;
    const auto address = with_book([&](RelayAddressBook& b) { return b.claim(token, identity, now, refusal); });
    if (!address) return refusal;
    if (bind(*address) == BindOutcome::bound) return RelayOpened{*address, std::nullopt};
    with_book([&](RelayAddressBook& b) { b.end_allocation(identity, *address); });
    return RelayRefusal::no_address;
}

}  // namespace detail

template <class WithBook, class Bind>
RelayOpenResult open_relay_address(WithBook&& with_book, std::string_view identity,
                                   const RelayRequest& request, Millis now, Bind&& bind,
                                   const RelayOpening& opening = {}) {
    if (request.token) return detail::claim_reserved(with_book, identity, *request.token, now, bind);
    const std::size_t units = request.reserve_next ? 2 : 1;
    const auto verdict = with_book([&](RelayAddressBook& b) { return b.reserve_quota(identity, units); });
    if (auto refused = detail::refusal_of(verdict)) return *refused;

    std::vector<TransportAddress> held_elsewhere;
    std::optional<RelayCandidate> chosen;
    for (int attempt = 0; attempt < opening.bind_attempts && !chosen; ++attempt) {
        auto candidate = with_book([&](RelayAddressBook& b) { return b.acquire(request); });
        if (!candidate) break;
        const BindOutcome outcome = bind(candidate->address);
        if (outcome == BindOutcome::bound) {
            chosen = candidate;
            continue;
        }
        with_book([&](RelayAddressBook& b) {
            if (candidate->next) b.release(*candidate->next);
            if (outcome == BindOutcome::failed) b.release(candidate->address);
        });
        if (outcome == BindOutcome::failed) break;
        held_elsewhere.push_back(candidate->address);
    }
    return with_book([&](RelayAddressBook& b) -> RelayOpenResult {
        for (const auto& a : held_elsewhere) b.release(a);
        if (!chosen) {
            for (std::size_t i = 0; i < units; ++i) b.release_quota(identity);
            return RelayRefusal::no_address;
        }
        RelayOpened opened{chosen->address, std::nullopt};
        if (!chosen->next) return opened;
        // The pair's second unit of quota now belongs to the reservation; a full table
        // gives it back with the address, and the allocation goes ahead without one.
        if (b.reserve(opening.fresh_token, *chosen->next, identity, now)) {
            opened.reservation = opening.fresh_token;
        } else {
            b.release(*chosen->next);
            b.release_quota(identity);
        }
        return opened;
    });
}

}  // namespace hallpass::alloc
