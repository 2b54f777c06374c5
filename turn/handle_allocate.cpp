// Allocate (RFC 8656 §7.2).
#include <algorithm>
#include <variant>

#include "stun/attributes.hpp"
#include "turn/probe_credentials.hpp"
#include "turn/server_request.hpp"

namespace hallpass::turn {

using stun::ErrorCode;

namespace {

// An unknown or expired reservation token is the server's "no room" too (508).
AllocateRefusal counted_as(alloc::RelayRefusal r) {
    switch (r) {
        case alloc::RelayRefusal::user_quota: return AllocateRefusal::user_quota;
        case alloc::RelayRefusal::total_quota: return AllocateRefusal::total_quota;
        case alloc::RelayRefusal::no_address:
        case alloc::RelayRefusal::unknown_token: break;
    }
    return AllocateRefusal::no_address;
}

void add_allocation_attributes(stun::MessageBuilder& b, const alloc::Allocation& a) {
    b.add(stun::XorRelayedAddress{a.advertised});
    b.add(stun::Lifetime{a.granted_lifetime});
    b.add(stun::XorMappedAddress{a.five_tuple.client});
}

}  // namespace

std::optional<ClientAction> TurnServer::check_allocate_attributes(Request& r, alloc::RelayRequest& relay) {
    const auto& m = r.message;
    auto transport = stun::require<stun::RequestedTransport>(m);
    if (!transport) return error(r, ErrorCode::bad_request);
    if (transport->protocol != stun::RequestedTransport::udp)
        return error(r, ErrorCode::unsupported_transport_protocol);
    auto requested = stun::get<stun::RequestedAddressFamily>(m);
    auto additional = stun::get<stun::AdditionalAddressFamily>(m);
    auto even = stun::get<stun::EvenPort>(m);
    auto token = stun::get<stun::ReservationToken>(m);
    const bool bad_token = m.has(stun::AttributeType::reservation_token) && !token;
    // §7.2: these combinations are contradictory.
    if (bad_token || (token && (even || requested || additional)) || (requested && additional) ||
        (additional && additional->family != stun::family_ipv6))
        return error(r, ErrorCode::bad_request);
    if (token) relay.token = token->token;
    relay.even_port = even.has_value();
    relay.reserve_next = even && even->reserve_next;
    relay.family = AddressFamily::ipv4;
    if (requested) {
        if (requested->family == stun::family_ipv6) relay.family = AddressFamily::ipv6;
        else if (requested->family != stun::family_ipv4)
            return error(r, ErrorCode::address_family_not_supported);
    }
    if (!token && !host_.supports(relay.family))
        return error(r, ErrorCode::address_family_not_supported);
    return std::nullopt;
}

std::optional<ClientAction> TurnServer::try_alternate(Request& r) {
    const auto& list = options_.alternates[static_cast<std::size_t>(r.from.transport)];
    if (list.empty()) return std::nullopt;
    // In turn over the alternates of the client's address family, else over all of them.
    const auto family = r.from.client.ip.unmapped().family;
    std::array<const Alternate*, 64> same{};
    std::size_t n = 0;
    for (const auto& a : list)
        if (a.address.ip.family == family && n < same.size()) same[n++] = &a;
    const std::size_t turn = host_.next_alternate();
    const Alternate* pick = n ? same[turn % n] : &list[turn % list.size()];
    counters_.redirected.add();
    auto b = r.builder(stun::MessageClass::error);
    b.add(stun::ErrorCodeAttribute::of(ErrorCode::try_alternate));
    b.add(stun::AlternateServer{pick->address});
    if (!pick->domain.empty()) b.add(stun::AlternateDomain{pick->domain});
    // libwebrtc signs its next Allocate, to the alternate, with these (every node of the
    // realm accepts this node's nonces: turn/nonce_issuer.hpp).
    const auto nonce = nonces_->issue(r.from.client, r.now.unix_seconds);
    b.add(stun::Realm{credentials_->realm()}).add(stun::Nonce{nonce.view()});
    return finish(r, b);
}

ClientAction TurnServer::handle_allocate(Request& r) {
    if (auto refused = authenticate(r)) return *refused;
    if (alloc::Allocation* existing = table_.find(r.from)) {
        // A retransmitted Allocate whose answer was lost gets the same answer (§7.2).
        if (existing->allocate_transaction != r.message.transaction_id())
            return error(r, ErrorCode::allocation_mismatch);
        auto b = success(r);
        add_allocation_attributes(b, *existing);
        return finish(r, b);
    }
    alloc::RelayRequest relay;
    if (auto refused = check_allocate_attributes(r, relay)) return *refused;
    if (draining_) {
        counters_.allocate_refusals[static_cast<std::size_t>(AllocateRefusal::draining)].add();
        host_.refused({r.from, r.username, "draining"}, r.now);
        if (auto redirected = try_alternate(r)) return *redirected;
        return error(r, ErrorCode::forbidden);
    }
    const RelaySocketOptions socket{r.message.has(stun::AttributeType::dont_fragment)};

    alloc::Allocation& a = table_.create(r.from);
    const std::string_view identity = r.username.substr(r.identity_offset);
    auto opened = host_.open_relay(a.id, identity, relay, socket, r.now);
    if (const auto* refusal = std::get_if<alloc::RelayRefusal>(&opened)) {
        table_.remove(a.id);
        counters_.allocate_refusals[static_cast<std::size_t>(counted_as(*refusal))].add();
        host_.refused({r.from, r.username, name_of(counted_as(*refusal))}, r.now);
        // A full node sends the client to an alternate when it has one.
        if (*refusal == alloc::RelayRefusal::total_quota)
            if (auto redirected = try_alternate(r)) return *redirected;
        // The user's own quota is the answer that stays true on retry (486); anything else
        // — the total, a full pool, an unknown or expired token — is the server's (508).
        return error(r, *refusal == alloc::RelayRefusal::user_quota ? ErrorCode::allocation_quota_reached
                                                                   : ErrorCode::insufficient_capacity);
    }
    const auto* endpoint = std::get_if<RelayEndpoint>(&opened);
    a.username = std::string(r.username);
    a.identity_offset = r.identity_offset;
    a.dont_fragment = socket.dont_fragment;
    a.relay = endpoint->bound;
    a.advertised = endpoint->advertised;
    a.created = r.now.monotonic;
    const bool probe = probe_client(r.username).has_value();
    const auto requested = stun::get<stun::Lifetime>(r.message);
    a.granted_lifetime = granted_lifetime(requested ? std::optional(requested->seconds) : std::nullopt, options_, probe);
    a.bandwidth = probe ? options_.probe.bandwidth : options_.allocation_bandwidth;
    table_.set_expiry(a, r.now.monotonic + std::chrono::seconds(a.granted_lifetime));
    a.allocate_transaction = r.message.transaction_id();
    counters_.allocations_created[static_cast<std::size_t>(r.from.transport)].add();
    host_.allocation_created(a, r.now);

    auto b = success(r);
    add_allocation_attributes(b, a);
    if (endpoint->reservation) b.add(stun::ReservationToken{*endpoint->reservation});
    // Dual allocation (RFC 8656 §7.2, ADDITIONAL-ADDRESS-FAMILY) is not offered: the IPv4
    // allocation stands and the IPv6 part is refused in ADDRESS-ERROR-CODE.
    if (r.message.has(stun::AttributeType::additional_address_family))
        b.add(stun::AddressErrorCode{stun::family_ipv6, 440,
                                     stun::reason_of(ErrorCode::address_family_not_supported)});
    return finish(r, b);
}

}  // namespace hallpass::turn
