// Dispatch of client and peer packets, authentication and the shape of answers. The
// handlers of each TURN method live in handle_*.cpp.
#include "turn/turn_server.hpp"

#include "stun/attribute_check.hpp"
#include "stun/attributes.hpp"
#include "turn/channel_data.hpp"
#include "turn/server_request.hpp"

namespace hallpass::turn {

using stun::ErrorCode;
using stun::MessageClass;
using stun::Method;

TurnServer::TurnServer(ServerOptions options, const CredentialStore& credentials,
                       const NonceIssuer& nonces, const PeerPolicy& peers, AllocationHost& host)
    : options_(std::move(options)),
      credentials_(&credentials),
      nonces_(&nonces),
      peers_(&peers),
      host_(host),
      table_(options_.table),
      reply_limiter_(options_.unauthenticated_replies, options_.seed) {}

ClientAction TurnServer::on_client_packet(const alloc::FiveTuple& from,
                                          std::span<const std::uint8_t> packet, Instant now,
                                          std::span<std::uint8_t> reply_buffer) {
    if (packet.empty()) return dropped(DropReason::malformed);
    if (looks_like_channel_data(packet[0])) return on_channel_data(from, packet, now);
    auto m = stun::MessageView::parse(packet);
    if (!m) return dropped(DropReason::malformed);  // RFC 8489 §6.3: discarded silently
    return on_stun(from, *m, now, reply_buffer);
}

void TurnServer::reconfigure(ServerOptions options, const CredentialStore& credentials, const NonceIssuer& nonces,
                             const PeerPolicy& peers) {
    // The seed keys the rate limiter's table, which keeps what it has counted.
    options.seed = options_.seed;
    options_ = std::move(options);
    credentials_ = &credentials;
    nonces_ = &nonces;
    peers_ = &peers;
    table_.set_limits(options_.table);
    reply_limiter_.set_rates(options_.unauthenticated_replies);
}

ClientAction TurnServer::on_channel_data(const alloc::FiveTuple& from,
                                         std::span<const std::uint8_t> packet, Instant now) {
    auto cd = parse_channel_data(packet);
    if (!cd) return dropped(DropReason::malformed);
    alloc::Allocation* a = table_.find(from);
    if (!a) return dropped(DropReason::no_allocation);
    const TransportAddress* peer = table_.channel_peer(a->id, cd->channel, now.monotonic);
    // RFC 8656 §12.6: unbound channels and peers without permission are dropped.
    if (!peer) return dropped(DropReason::unknown_channel);
    if (!table_.permitted(a->id, peer->ip, now.monotonic)) return dropped(DropReason::no_permission);
    if (!a->bandwidth.admits(a->to_peers_budget, cd->payload.size(), now.monotonic)) {
        ++a->traffic.dropped_to_peers;
        return dropped(DropReason::over_bandwidth);
    }
    a->traffic.bytes_to_peers += cd->payload.size();
    ++a->traffic.packets_to_peers;
    counters_.relayed(Direction::to_peer, from.transport, cd->payload.size());
    return {ClientAction::Kind::to_peer, cd->payload, a->id, *peer};
}

ClientAction TurnServer::on_send_indication(const alloc::FiveTuple& from,
                                            const stun::MessageView& m, Instant now) {
    // RFC 8656 §11.2: no authentication, no answer; anything amiss drops the indication.
    alloc::Allocation* a = table_.find(from);
    if (!a) return dropped(DropReason::no_allocation);
    auto peer = stun::get<stun::XorPeerAddress>(m);
    auto data = stun::get<stun::Data>(m);
    if (!peer || !data) return dropped(DropReason::malformed);
    // An IPv4-mapped peer is the IPv4 peer inside, as for CreatePermission and ChannelBind.
    const TransportAddress target{peer->address.ip.unmapped(), peer->address.port};
    if (!table_.permitted(a->id, target.ip, now.monotonic)) return dropped(DropReason::no_permission);
    // The permission covers the peer's IP; its port may still be one of our own listeners.
    if (peers_->is_own_endpoint(target)) {
        counters_.peer_refusals.add();
        return {};
    }
    // §11.2: DF is set per allocation (the relay socket's option); a Send that asks for it
    // on an allocation without it is treated as carrying an unknown comprehension-required
    // attribute: dropped.
    if (m.has(stun::AttributeType::dont_fragment) && !a->dont_fragment) return dropped(DropReason::malformed);
    if (!a->bandwidth.admits(a->to_peers_budget, data->bytes.size(), now.monotonic)) {
        ++a->traffic.dropped_to_peers;
        return dropped(DropReason::over_bandwidth);
    }
    a->traffic.bytes_to_peers += data->bytes.size();
    ++a->traffic.packets_to_peers;
    counters_.relayed(Direction::to_peer, from.transport, data->bytes.size());
    return {ClientAction::Kind::to_peer, data->bytes, a->id, target};
}

ClientAction TurnServer::on_stun(const alloc::FiveTuple& from, const stun::MessageView& m,
                                 Instant now, std::span<std::uint8_t> out) {
    if (m.message_class() == MessageClass::indication) {
        if (m.method() == static_cast<std::uint16_t>(Method::send))
            return on_send_indication(from, m, now);
        return {};
    }
    if (m.message_class() != MessageClass::request) return {};
    Request r{from, m, now, out, {}, 0, {}};
    std::array<std::uint16_t, 16> unknown{};
    if (const auto n = m.unknown_required(unknown)) {
        stun::UnknownAttributes u;
        std::copy_n(unknown.begin(), n, u.types.begin());
        u.count = n;
        // Unauthenticated, so the code without its reason phrase (see error()).
        auto b = r.builder(MessageClass::error);
        b.add(stun::ErrorCodeAttribute{static_cast<std::uint16_t>(ErrorCode::unknown_attribute), {}}).add(u);
        return finish(r, b);
    }
    switch (static_cast<Method>(m.method())) {
        case Method::binding: return handle_binding(r);
        case Method::allocate: return handle_allocate(r);
        case Method::refresh: return handle_refresh(r);
        case Method::create_permission: return handle_create_permission(r);
        case Method::channel_bind: return handle_channel_bind(r);
        default: return error(r, ErrorCode::bad_request);
    }
}

// An unsigned request that no real client sends — a Refresh, or one without the attributes
// its method needs — would earn a 401 (realm and nonce) several times its own size: it
// gets a bare 400 instead, smaller than the 401 could be. A real client's first request
// (an Allocate with REQUESTED-TRANSPORT) still gets its challenge.
std::optional<ClientAction> TurnServer::refuse_bare_request(Request& r) {
    const auto& m = r.message;
    if (m.has(stun::AttributeType::message_integrity) || m.has(stun::AttributeType::message_integrity_sha256))
        return std::nullopt;
    bool complete = true;
    switch (static_cast<Method>(m.method())) {
        case Method::allocate: complete = m.has(stun::AttributeType::requested_transport); break;
        case Method::create_permission: complete = m.has(stun::AttributeType::xor_peer_address); break;
        case Method::channel_bind:
            complete = m.has(stun::AttributeType::channel_number) && m.has(stun::AttributeType::xor_peer_address);
            break;
        default: complete = false; break;  // Refresh: only ever sent with the credentials in hand
    }
    if (complete) return std::nullopt;
    return error(r, ErrorCode::bad_request);
}

std::optional<ClientAction> TurnServer::authenticate(Request& r) {
    if (auto refused = refuse_bare_request(r)) return refused;
    const auto& m = r.message;
    const bool signed_sha1 = m.has(stun::AttributeType::message_integrity);
    const bool signed_sha256 = m.has(stun::AttributeType::message_integrity_sha256);
    if (!signed_sha1 && !signed_sha256) return reply_unauthenticated(r, ErrorCode::unauthenticated, AuthOutcome::challenged);
    auto username = stun::get<stun::Username>(m);
    auto realm = stun::get<stun::Realm>(m);
    auto nonce = stun::get<stun::Nonce>(m);
    // RFC 8489 §9.2.4: a signed request without these three is a bad one.
    if (!username || !realm || !nonce) return error(r, ErrorCode::bad_request);
    if (nonces_->check(nonce->text, r.from.client, r.now.unix_seconds) !=
        NonceIssuer::Verdict::valid)
        return reply_unauthenticated(r, ErrorCode::stale_nonce, AuthOutcome::stale_nonce);
    if (realm->text != credentials_->realm())
        return reply_unauthenticated(r, ErrorCode::unauthenticated, AuthOutcome::wrong_realm);
    const auto lookup = credentials_->lookup(username->text, r.now.unix_seconds);
    for (const auto& key : lookup.keys) {
        const bool ok = signed_sha256 ? stun::message_integrity_sha256_matches(m, key)
                                      : stun::message_integrity_matches(m, key);
        if (!ok) continue;
        r.username = username->text;
        r.identity_offset = lookup.identity_offset;
        r.key = key;
        // RFC 8489 §6.3.1.1: a known attribute that is there but malformed makes the request
        // a bad one, answered (signed, now that we can) with 400 rather than half-read.
        if (stun::check_known_attributes(m)) return error(r, ErrorCode::bad_request);
        return std::nullopt;
    }
    const auto outcome = lookup.status == CredentialLookup::Status::expired         ? AuthOutcome::expired_username
                         : lookup.status == CredentialLookup::Status::too_far_ahead ? AuthOutcome::too_far_ahead
                                                                                    : AuthOutcome::bad_credentials;
    return reply_unauthenticated(r, ErrorCode::unauthenticated, outcome);
}

ClientAction TurnServer::reply_unauthenticated(Request& r, ErrorCode code, AuthOutcome outcome) {
    counters_.auth(outcome);
    if (outcome != AuthOutcome::challenged) {
        const auto username = stun::get<stun::Username>(r.message);
        host_.refused({r.from, username ? username->text : std::string_view{}, name_of(outcome)}, r.now);
    }
    // 401 and 438 carry a fresh nonce and the realm, unsigned (RFC 8489 §9.2.4). They are
    // the only answers an unauthenticated, perhaps spoofed, sender earns, so they carry
    // nothing else: no SOFTWARE and no reason phrase (the code says it; RFC 8489 §14.8
    // leaves the text free).
    const auto nonce = nonces_->issue(r.from.client, r.now.unix_seconds);
    auto b = r.builder(MessageClass::error);
    b.add(stun::ErrorCodeAttribute{static_cast<std::uint16_t>(code), {}});
    b.add(stun::Realm{credentials_->realm()}).add(stun::Nonce{nonce.view()});
    return finish(r, b);
}

ClientAction TurnServer::error(Request& r, ErrorCode code) {
    if (code == ErrorCode::wrong_credentials) {
        counters_.auth(AuthOutcome::wrong_credentials);
        host_.refused({r.from, r.username, name_of(AuthOutcome::wrong_credentials)}, r.now);
    }
    auto b = r.builder(MessageClass::error);
    // Unauthenticated answers stay small: the code without its reason phrase.
    if (r.key.empty()) b.add(stun::ErrorCodeAttribute{static_cast<std::uint16_t>(code), {}});
    else b.add(stun::ErrorCodeAttribute::of(code));
    return finish(r, b);
}

stun::MessageBuilder TurnServer::success(Request& r) {
    return r.builder(MessageClass::success);
}

ClientAction TurnServer::finish(Request& r, stun::MessageBuilder& b) {
    if (!r.key.empty()) {
        if (!options_.software.empty()) b.add(stun::Software{options_.software});
        b.add_message_integrity(r.key);
    }
    if (r.message.has(stun::AttributeType::fingerprint)) b.add_fingerprint();
    if (!b.ok()) return {};
    // Over UDP an unauthenticated source may be forged: how many answers it gets is bounded.
    if (r.key.empty() && r.from.transport == alloc::Transport::udp &&
        !reply_limiter_.allow(r.from.client.ip, r.now.monotonic))
        return dropped(DropReason::rate_limited);
    return {ClientAction::Kind::reply, b.bytes(), {}, {}};
}

PeerAction TurnServer::on_peer_packet(alloc::AllocationId id, const TransportAddress& peer,
                                      PeerPacket p, Instant now) {
    alloc::Allocation* a = table_.get(id);
    if (!a) {
        counters_.drop(DropReason::no_allocation);
        return {};
    }
    // RFC 8656 §10.3: data from a peer without permission is dropped.
    if (!table_.permitted(id, peer.ip, now.monotonic)) {
        counters_.drop(DropReason::no_permission);
        return {};
    }
    if (p.offset < peer_headroom || p.offset > p.storage.size() || p.length > p.storage.size() - p.offset ||
        p.storage.size() - p.offset - p.length < peer_tailroom)
        return {};
    if (!a->bandwidth.admits(a->to_client_budget, p.length, now.monotonic)) {
        ++a->traffic.dropped_to_client;
        counters_.drop(DropReason::over_bandwidth);
        return {};
    }
    a->traffic.bytes_to_client += p.length;
    ++a->traffic.packets_to_client;
    counters_.relayed(Direction::to_client, a->five_tuple.transport, p.length);
    std::uint8_t* data = p.storage.data() + p.offset;
    if (auto channel = table_.channel_of(id, peer, now.monotonic)) {
        const auto len = static_cast<std::uint16_t>(p.length);
        write_channel_data_header(data - channel_data_header_size, *channel, len);
        std::size_t total = channel_data_header_size + p.length;
        // RFC 8656 §12.5: over streams ChannelData is padded to a multiple of 4.
        if (a->five_tuple.transport != alloc::Transport::udp)
            while (total % 4) data[total++ - channel_data_header_size] = 0;
        return {true, {data - channel_data_header_size, total}, &a->five_tuple};
    }
    return {true, build_data_indication(p, peer, a->traffic.packets_to_client), &a->five_tuple};
}

void TurnServer::on_tick(Instant now) {
    table_.expire(now.monotonic, max_expiries_per_tick, [&](alloc::Allocation& a) {
        counters_.ended(a.five_tuple.transport, EndReason::expired, now.monotonic - a.created);
        host_.allocation_ended(a, EndReason::expired, now);
        host_.close_relay(a.id, a.identity(), a.relay);
    });
}

void TurnServer::end(alloc::Allocation& a, EndReason why, Instant now) {
    counters_.ended(a.five_tuple.transport, why, now.monotonic - a.created);
    host_.allocation_ended(a, why, now);
    host_.close_relay(a.id, a.identity(), a.relay);
    table_.remove(a.id);
}

void TurnServer::on_connection_closed(const alloc::FiveTuple& five_tuple, Instant now) {
    if (alloc::Allocation* a = table_.find(five_tuple)) end(*a, EndReason::connection_closed, now);
}

void TurnServer::end_all(Instant now) {
    std::vector<alloc::AllocationId> ids;
    table_.for_each([&](alloc::Allocation& a) { ids.push_back(a.id); });
    for (auto id : ids)
        if (alloc::Allocation* a = table_.get(id)) end(*a, EndReason::shutdown, now);
}

bool TurnServer::disconnect(alloc::AllocationId id, Instant now) {
    alloc::Allocation* a = table_.get(id);
    if (!a) return false;
    end(*a, EndReason::disconnected, now);
    return true;
}

std::size_t TurnServer::disconnect_user(std::string_view user, Instant now) {
    std::vector<alloc::AllocationId> ids;
    table_.for_each([&](alloc::Allocation& a) {
        if (a.belongs_to(user)) ids.push_back(a.id);
    });
    for (auto id : ids) disconnect(id, now);
    return ids.size();
}

}  // namespace hallpass::turn
