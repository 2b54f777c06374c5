// AllocationTable: a worker's allocations with their permissions and channel bindings,
// indexed for O(1) lookups on the packet path (DESIGN.md "The hot path"):
//   client 5-tuple → allocation; (allocation, channel) → peer; (allocation, peer) → channel;
//   (allocation, peer IP) → permission.
// Lifetimes are RFC 8656's: permissions last 300 s (§9), channel bindings 600 s (§12), and a
// channel number or peer address stays reserved for 5 minutes after its binding expires.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <optional>
#include <vector>

#include "alloc/allocation.hpp"

namespace hallpass::alloc {

enum class ChannelBindVerdict { ok, channel_bound_to_other_peer, peer_bound_to_other_channel };

class AllocationTable {
public:
    // RFC 8656 §12: after a binding expires, neither its number nor its peer may be bound to
    // anything else for this long.
    static constexpr Millis channel_cooldown{std::chrono::minutes(5)};

    Allocation* find(const FiveTuple& five_tuple);
    Allocation* get(AllocationId id);
    const Allocation* get(AllocationId id) const;
    Allocation& create(const FiveTuple& five_tuple);
    void remove(AllocationId id);
    std::size_t size() const { return by_five_tuple_.size(); }

    void install_permission(Allocation& a, const IpAddress& peer, Millis expires);
    bool permitted(AllocationId id, const IpAddress& peer, Millis now) const;

    ChannelBindVerdict bind_channel(Allocation& a, std::uint16_t channel,
                                    const TransportAddress& peer, Millis expires);
    const TransportAddress* channel_peer(AllocationId id, std::uint16_t channel, Millis now) const;
    std::optional<std::uint16_t> channel_of(AllocationId id, const TransportAddress& peer,
                                            Millis now) const;

    // Ends every allocation whose lifetime has passed (calling `ended` with it before it is
    // freed) and forgets expired permissions and cooled-down channel bindings.
    template <class OnEnded>
    void expire(Millis now, OnEnded&& ended) {
        for (auto& slot : slots_)
            if (slot.live && slot.allocation.expires <= now) {
                ended(slot.allocation);
                remove(slot.allocation.id);
            }
        sweep(now);
    }

    template <class F>
    void for_each(F&& f) {
        for (auto& slot : slots_)
            if (slot.live) f(slot.allocation);
    }

private:
    struct Slot {
        Allocation allocation;
        bool live = false;
    };
    struct ChannelEntry {
        TransportAddress peer;
        Millis expires{0};
    };
    struct PeerKey {
        std::uint32_t index;
        TransportAddress peer;
        friend bool operator==(const PeerKey&, const PeerKey&) = default;
    };
    struct PermissionKey {
        std::uint32_t index;
        IpAddress peer;
        friend bool operator==(const PermissionKey&, const PermissionKey&) = default;
    };
    struct PeerKeyHash {
        std::size_t operator()(const PeerKey& k) const { return hash_value(k.peer) ^ (k.index * 0x9E3779B97F4A7C15ull); }
    };
    struct PermissionKeyHash {
        std::size_t operator()(const PermissionKey& k) const { return hash_value(k.peer) ^ (k.index * 0x9E3779B97F4A7C15ull); }
    };
    static std::uint64_t channel_key(std::uint32_t index, std::uint16_t channel) {
        return (std::uint64_t{index} << 16) | channel;
    }
    bool live(AllocationId id) const;
    void forget_channel(std::uint32_t index, std::uint16_t channel);
    void sweep(Millis now);

    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_slots_;
    boost::unordered_flat_map<FiveTuple, std::uint32_t, FiveTupleHash> by_five_tuple_;
    boost::unordered_flat_map<std::uint64_t, ChannelEntry> channels_;
    boost::unordered_flat_map<PeerKey, std::uint16_t, PeerKeyHash> channel_by_peer_;
    boost::unordered_flat_map<PermissionKey, Millis, PermissionKeyHash> permissions_;
};

}  // namespace hallpass::alloc
