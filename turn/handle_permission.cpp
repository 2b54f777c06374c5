// CreatePermission (RFC 8656 §9) and ChannelBind (§12.2): both name peers, and both refuse
// a peer of the wrong family (443), one the peer policy forbids (403), and one more than
// the allocation may hold (508: "the server is unable to ... due to capacity").
#include "stun/attributes.hpp"
#include "turn/channel_data.hpp"
#include "turn/probe_credentials.hpp"
#include "turn/server_request.hpp"

namespace hallpass::turn {

using stun::ErrorCode;

namespace {

std::optional<ErrorCode> judge_peer(const TransportAddress& peer, const alloc::Allocation& a,
                                    const PeerPolicy& policy) {
    if (peer.ip.unmapped().family != a.relay.ip.family)
        return ErrorCode::peer_address_family_mismatch;
    const auto probe = probe_client(a.username);
    if (!probe) return policy.permits(peer) ? std::nullopt : std::optional(ErrorCode::forbidden);
    // A probe allocation may also reach the address it is used from, as any peer: that is
    // the check's direct-UDP test when its credentials came through a web proxy (minted for
    // the proxy's address) while UDP leaves through the school's own. Relaying to oneself
    // gives nobody else anything.
    const bool own_address = peer.ip.unmapped() == a.five_tuple.client.ip.unmapped() && policy.permits(peer);
    if (!policy.permits_probe(peer, *probe) && !own_address) return ErrorCode::forbidden;
    return std::nullopt;
}

}  // namespace

ClientAction TurnServer::refuse_peer(Request& r, ErrorCode code, const TransportAddress& peer) {
    if (code == ErrorCode::forbidden) {
        counters_.peer_refusals.add();
        host_.refused({r.from, r.username, "peer_forbidden", peer}, r.now);
    }
    return error(r, code);
}

ClientAction TurnServer::handle_create_permission(Request& r) {
    if (auto refused = authenticate(r)) return *refused;
    alloc::Allocation* a = table_.find(r.from);
    if (!a) return error(r, ErrorCode::allocation_mismatch);
    if (a->username != r.username) return error(r, ErrorCode::wrong_credentials);
    // All peers are checked before any permission is installed: a request is all or nothing.
    std::array<IpAddress, stun::MessageView::max_attributes> peers;
    std::size_t count = 0;
    for (const auto& attr : r.message.attributes()) {
        if (attr.type != static_cast<std::uint16_t>(stun::AttributeType::xor_peer_address))
            continue;
        auto peer = stun::XorPeerAddress::decode(attr, r.message.transaction_id());
        if (!peer) return error(r, ErrorCode::bad_request);
        if (auto code = judge_peer(peer->address, *a, *peers_)) return refuse_peer(r, *code, peer->address);
        peers[count++] = peer->address.ip.unmapped();
    }
    if (count == 0) return error(r, ErrorCode::bad_request);
    if (!table_.has_room_for_permissions(*a, {peers.data(), count}))
        return error(r, ErrorCode::insufficient_capacity);
    const auto expires = r.now.monotonic + std::chrono::seconds(options_.permission_lifetime);
    for (std::size_t i = 0; i < count; ++i) table_.install_permission(*a, peers[i], expires);
    auto b = success(r);
    return finish(r, b);
}

ClientAction TurnServer::handle_channel_bind(Request& r) {
    if (auto refused = authenticate(r)) return *refused;
    alloc::Allocation* a = table_.find(r.from);
    if (!a) return error(r, ErrorCode::allocation_mismatch);
    if (a->username != r.username) return error(r, ErrorCode::wrong_credentials);
    auto channel = stun::require<stun::ChannelNumber>(r.message);
    auto peer = stun::require<stun::XorPeerAddress>(r.message);
    if (!channel || !peer || !valid_channel(channel->number)) return error(r, ErrorCode::bad_request);
    if (auto code = judge_peer(peer->address, *a, *peers_)) return refuse_peer(r, *code, peer->address);
    TransportAddress target = peer->address;
    target.ip = target.ip.unmapped();
    const auto channel_expires = r.now.monotonic + std::chrono::seconds(options_.channel_lifetime);
    // §12.2: binding a channel also installs or refreshes the permission for its peer, so
    // there must be room for both before either is made.
    if (!table_.has_room_for_permissions(*a, {&target.ip, 1}))
        return error(r, ErrorCode::insufficient_capacity);
    switch (table_.bind_channel(*a, channel->number, target, channel_expires)) {
        case alloc::ChannelBindVerdict::ok: break;
        case alloc::ChannelBindVerdict::too_many_channels: return error(r, ErrorCode::insufficient_capacity);
        case alloc::ChannelBindVerdict::channel_bound_to_other_peer:
        case alloc::ChannelBindVerdict::peer_bound_to_other_channel: return error(r, ErrorCode::bad_request);
    }
    table_.install_permission(
        *a, target.ip, r.now.monotonic + std::chrono::seconds(options_.permission_lifetime));
    auto b = success(r);
    return finish(r, b);
}

}  // namespace hallpass::turn
