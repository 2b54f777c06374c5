#include "alloc/allocation_table.hpp"

#include <algorithm>

namespace hallpass::alloc {

bool AllocationTable::live(AllocationId id) const {
    return id.index < slots_.size() && slots_[id.index].live &&
           slots_[id.index].allocation.id.generation == id.generation;
}

Allocation* AllocationTable::find(const FiveTuple& five_tuple) {
    auto it = by_five_tuple_.find(five_tuple);
    return it == by_five_tuple_.end() ? nullptr : &slots_[it->second].allocation;
}

Allocation* AllocationTable::get(AllocationId id) {
    return live(id) ? &slots_[id.index].allocation : nullptr;
}

const Allocation* AllocationTable::get(AllocationId id) const {
    return live(id) ? &slots_[id.index].allocation : nullptr;
}

Allocation& AllocationTable::create(const FiveTuple& five_tuple) {
    std::uint32_t index;
    if (!free_slots_.empty()) {
        index = free_slots_.back();
        free_slots_.pop_back();
    } else {
        index = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    Slot& slot = slots_[index];
    const std::uint32_t generation = slot.allocation.id.generation + 1;
    slot.allocation = Allocation{};
    slot.allocation.id = {index, generation};
    slot.allocation.five_tuple = five_tuple;
    slot.live = true;
    by_five_tuple_[five_tuple] = index;
    return slot.allocation;
}

void AllocationTable::set_expiry(Allocation& a, Millis expires) {
    const bool queued = a.expiry_queued != Millis{0};
    a.expires = expires;
    if (!queued || expires < a.expiry_queued) queue_expiry(a);
}

void AllocationTable::queue_expiry(Allocation& a) {
    a.expiry_queued = a.expires;
    wheel_.schedule(ExpiryKey{ExpiryKey::Kind::allocation, 0, a.id, {}, a.expires}, a.expires);
}

void AllocationTable::remove(AllocationId id) {
    if (!live(id)) return;
    Slot& slot = slots_[id.index];
    for (const auto& peer : slot.allocation.permissions) permissions_.erase({id.index, peer});
    for (auto channel : slot.allocation.channels) forget_channel(id.index, channel);
    by_five_tuple_.erase(slot.allocation.five_tuple);
    slot.live = false;
    // Keep the generation so the next occupant of this slot gets a new one (and this one's
    // wheel entries, which stay behind, find nothing when they come due).
    const auto generation = slot.allocation.id.generation;
    slot.allocation = Allocation{};
    slot.allocation.id = {id.index, generation};
    free_slots_.push_back(id.index);
}

bool AllocationTable::has_room_for_permissions(const Allocation& a,
                                               std::span<const IpAddress> peers) const {
    if (limits_.permissions_per_allocation == 0) return true;
    std::size_t fresh = 0;
    for (std::size_t i = 0; i < peers.size(); ++i) {
        const bool installed = permissions_.contains(PermissionKey{a.id.index, peers[i]});
        // A peer named twice in one request counts once.
        const bool repeated = std::find(peers.begin(), peers.begin() + static_cast<std::ptrdiff_t>(i),
                                        peers[i]) != peers.begin() + static_cast<std::ptrdiff_t>(i);
        fresh += !installed && !repeated;
    }
    // Refreshing what is installed is always allowed, even past a limit a reload lowered.
    return fresh == 0 || a.permissions.size() + fresh <= limits_.permissions_per_allocation;
}

bool AllocationTable::install_permission(Allocation& a, const IpAddress& peer, Millis expires) {
    const PermissionKey key{a.id.index, peer};
    if (auto it = permissions_.find(key); it != permissions_.end()) {
        it->second = expires;
        return true;
    }
    if (limits_.permissions_per_allocation != 0 &&
        a.permissions.size() >= limits_.permissions_per_allocation)
        return false;
    permissions_.emplace(key, expires);
    a.permissions.push_back(peer);
    wheel_.schedule(ExpiryKey{ExpiryKey::Kind::permission, 0, a.id, peer}, expires);
    return true;
}

bool AllocationTable::permitted(AllocationId id, const IpAddress& peer, Millis now) const {
    auto it = permissions_.find(PermissionKey{id.index, peer});
    return it != permissions_.end() && now < it->second;
}

ChannelBindVerdict AllocationTable::bind_channel(Allocation& a, std::uint16_t channel,
                                                 const TransportAddress& peer,
                                                 Millis expires) {
    // RFC 8656 §12.2: a number is bound to one peer and a peer to one number, also while
    // an expired binding cools down.
    auto by_number = channels_.find(channel_key(a.id.index, channel));
    if (by_number != channels_.end() && by_number->second.peer != peer)
        return ChannelBindVerdict::channel_bound_to_other_peer;
    auto by_peer = channel_by_peer_.find(PeerKey{a.id.index, peer});
    if (by_peer != channel_by_peer_.end() && by_peer->second != channel)
        return ChannelBindVerdict::peer_bound_to_other_channel;
    if (by_number != channels_.end()) {
        by_number->second.expires = expires;
        return ChannelBindVerdict::ok;
    }
    if (limits_.channels_per_allocation != 0 && a.channels.size() >= limits_.channels_per_allocation)
        return ChannelBindVerdict::too_many_channels;
    channels_.emplace(channel_key(a.id.index, channel), ChannelEntry{peer, expires});
    channel_by_peer_.emplace(PeerKey{a.id.index, peer}, channel);
    a.channels.push_back(channel);
    wheel_.schedule(ExpiryKey{ExpiryKey::Kind::channel, channel, a.id, {}}, expires + channel_cooldown);
    return ChannelBindVerdict::ok;
}

const TransportAddress* AllocationTable::channel_peer(AllocationId id, std::uint16_t channel,
                                                      Millis now) const {
    auto it = channels_.find(channel_key(id.index, channel));
    if (it == channels_.end() || now >= it->second.expires) return nullptr;
    return &it->second.peer;
}

std::optional<std::uint16_t> AllocationTable::channel_of(AllocationId id,
                                                         const TransportAddress& peer,
                                                         Millis now) const {
    auto it = channel_by_peer_.find(PeerKey{id.index, peer});
    if (it == channel_by_peer_.end()) return std::nullopt;
    auto entry = channels_.find(channel_key(id.index, it->second));
    if (entry == channels_.end() || now >= entry->second.expires) return std::nullopt;
    return it->second;
}

void AllocationTable::forget_channel(std::uint32_t index, std::uint16_t channel) {
    auto it = channels_.find(channel_key(index, channel));
    if (it == channels_.end()) return;
    channel_by_peer_.erase(PeerKey{index, it->second.peer});
    channels_.erase(it);
}

void AllocationTable::forget_permission(Allocation& a, const IpAddress& peer) {
    permissions_.erase(PermissionKey{a.id.index, peer});
    // Swap-and-pop: the order of the list does not matter, only its length.
    auto it = std::find(a.permissions.begin(), a.permissions.end(), peer);
    if (it == a.permissions.end()) return;
    *it = a.permissions.back();
    a.permissions.pop_back();
}

void AllocationTable::expire_permission(Allocation& a, const ExpiryKey& key, Millis now) {
    auto it = permissions_.find(PermissionKey{a.id.index, key.peer});
    if (it == permissions_.end()) return;
    if (it->second > now) return wheel_.schedule(key, it->second);
    forget_permission(a, key.peer);
}

void AllocationTable::expire_channel(Allocation& a, const ExpiryKey& key, Millis now) {
    auto it = channels_.find(channel_key(a.id.index, key.channel));
    if (it == channels_.end()) return;
    const Millis free_at = it->second.expires + channel_cooldown;
    if (free_at > now) return wheel_.schedule(key, free_at);
    forget_channel(a.id.index, key.channel);
    auto pos = std::find(a.channels.begin(), a.channels.end(), key.channel);
    if (pos == a.channels.end()) return;
    *pos = a.channels.back();
    a.channels.pop_back();
}

}  // namespace hallpass::alloc
