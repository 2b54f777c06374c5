// AllocationTable: a worker's allocations with their permissions and channel bindings,
// indexed for O(1) lookups on the packet path (DESIGN.md "The hot path"):
//   client 5-tuple → allocation; (allocation, channel) → peer; (allocation, peer) → channel;
//   (allocation, peer IP) → permission.
// Lifetimes are RFC 8656's: permissions last 300 s (§9), channel bindings 600 s (§12), and a
// channel number or peer address stays reserved for 5 minutes after its binding expires.
// Each allocation holds at most limits.permissions_per_allocation permissions and
// limits.channels_per_allocation channels, so no client can grow a worker's tables
// without bound. Expiry runs off an ExpiryWheel: a tick handles what is due, never a sweep.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <optional>
#include <span>
#include <vector>

#include "alloc/allocation.hpp"
#include "alloc/expiry_wheel.hpp"

namespace hallpass::alloc {

enum class ChannelBindVerdict {
    ok,
    channel_bound_to_other_peer,
    peer_bound_to_other_channel,
    too_many_channels,
};

// 0 means no limit (tests only: config/ always sets both).
struct TableLimits {
    std::uint32_t permissions_per_allocation = 0;
    std::uint32_t channels_per_allocation = 0;
};

class AllocationTable {
public:
    // RFC 8656 §12: after a binding expires, neither its number nor its peer may be bound to
    // anything else for this long.
    static constexpr Millis channel_cooldown{std::chrono::minutes(5)};

    explicit AllocationTable(TableLimits limits = {}) : limits_(limits) {}

    Allocation* find(const FiveTuple& five_tuple);
    Allocation* get(AllocationId id);
    const Allocation* get(AllocationId id) const;
    // A new allocation; give it its lifetime with set_expiry().
    Allocation& create(const FiveTuple& five_tuple);
    // Allocate and Refresh (RFC 8656 §8): a later time needs nothing more (the wheel entry
    // finds it when it comes due), an earlier one gets an entry of its own, so that a
    // Refresh that shortens the lifetime ends the allocation on time.
    void set_expiry(Allocation& a, Millis expires);
    void remove(AllocationId id);
    std::size_t size() const { return by_five_tuple_.size(); }

    // Whether every one of `peers` can hold a permission: those already installed only
    // refresh, the others must fit under the limit together (CreatePermission is all or
    // nothing, RFC 8656 §9.2).
    bool has_room_for_permissions(const Allocation& a, std::span<const IpAddress> peers) const;
    // False, installing nothing, when the peer is new and the allocation is full.
    bool install_permission(Allocation& a, const IpAddress& peer, Millis expires);
    bool permitted(AllocationId id, const IpAddress& peer, Millis now) const;

    ChannelBindVerdict bind_channel(Allocation& a, std::uint16_t channel,
                                    const TransportAddress& peer, Millis expires);
    const TransportAddress* channel_peer(AllocationId id, std::uint16_t channel, Millis now) const;
    std::optional<std::uint16_t> channel_of(AllocationId id, const TransportAddress& peer,
                                            Millis now) const;

    // Ends allocations whose lifetime has passed (calling `ended` with each before it is
    // freed), forgets expired permissions and cooled-down channel bindings: at most `budget`
    // due entries per call, the rest at the next. Returns how many it looked at.
    template <class OnEnded>
    std::size_t expire(Millis now, std::size_t budget, OnEnded&& ended) {
        return wheel_.advance(now, budget, [&](const ExpiryKey& key) { on_due(key, now, ended); });
    }

    template <class F>
    void for_each(F&& f) {
        for (auto& slot : slots_)
            if (slot.live) f(slot.allocation);
    }
    template <class F>
    void for_each(F&& f) const {
        for (const auto& slot : slots_)
            if (slot.live) f(slot.allocation);
    }

    const TableLimits& limits() const { return limits_; }
    // New limits (a reload): they bound what is added from now on; an allocation already
    // past a lowered limit keeps what it has.
    void set_limits(TableLimits limits) { limits_ = limits; }
    std::size_t permission_count() const { return permissions_.size(); }
    std::size_t channel_count() const { return channels_.size(); }
    std::size_t scheduled_expiries() const { return wheel_.size(); }

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
    // What a wheel entry stands for; checked against the tables when it comes due.
    struct ExpiryKey {
        enum class Kind : std::uint8_t { allocation, permission, channel } kind;
        std::uint16_t channel = 0;
        AllocationId id;
        IpAddress peer;
        Millis queued{0};  // allocation entries: the deadline this entry was queued for
    };
    static std::uint64_t channel_key(std::uint32_t index, std::uint16_t channel) {
        return (std::uint64_t{index} << 16) | channel;
    }
    bool live(AllocationId id) const;
    void forget_channel(std::uint32_t index, std::uint16_t channel);
    void forget_permission(Allocation& a, const IpAddress& peer);
    void expire_permission(Allocation& a, const ExpiryKey& key, Millis now);
    void expire_channel(Allocation& a, const ExpiryKey& key, Millis now);
    void queue_expiry(Allocation& a);

    template <class OnEnded>
    void on_due(const ExpiryKey& key, Millis now, OnEnded& ended) {
        Allocation* a = get(key.id);
        if (!a) return;  // freed since: the entry has nothing left to do
        switch (key.kind) {
            case ExpiryKey::Kind::allocation:
                // An entry superseded by an earlier one (a shortening Refresh) is stale.
                if (key.queued != a->expiry_queued) return;
                if (a->expires > now) return queue_expiry(*a);
                ended(*a);
                remove(a->id);
                return;
            case ExpiryKey::Kind::permission: return expire_permission(*a, key, now);
            case ExpiryKey::Kind::channel: return expire_channel(*a, key, now);
        }
    }

    TableLimits limits_;
    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_slots_;
    boost::unordered_flat_map<FiveTuple, std::uint32_t, FiveTupleHash> by_five_tuple_;
    boost::unordered_flat_map<std::uint64_t, ChannelEntry> channels_;
    boost::unordered_flat_map<PeerKey, std::uint16_t, PeerKeyHash> channel_by_peer_;
    boost::unordered_flat_map<PermissionKey, Millis, PermissionKeyHash> permissions_;
    ExpiryWheel<ExpiryKey> wheel_;
};

}  // namespace hallpass::alloc
