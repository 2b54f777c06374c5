// SegmentGroups: sorts one batch of outgoing datagrams into UDP GSO sends (UDP_SEGMENT,
// Linux 4.18). Datagrams that leave one socket for one address, in order, all of one size
// but a shorter last one, can go to the kernel as a single send: routing, the IP and UDP
// work and, on loopback, the hand-over to the receiver are then done once for the group
// and the datagrams are cut apart at the end. A video frame that a media server sends as a
// run of equal packets to one student is such a group.
//
// Pure bookkeeping (no sockets): the engine adds each datagram of a batch, then sends
// each group. Memory grows to the largest batch seen and is reused after that.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "stun/transport_address.hpp"

namespace hallpass::relay {

struct OutgoingDatagram {
    int fd = -1;
    TransportAddress to;
    std::span<const std::uint8_t> bytes;
    int buffer = -1;  // the engine's receive buffer holding the bytes
};

class SegmentGroups {
public:
    static constexpr std::uint32_t none = UINT32_MAX;
    // The kernel takes up to 64 segments (128 since 6.9) and one IP datagram's worth of bytes.
    static constexpr unsigned max_segments = 32;
    static constexpr std::size_t max_bytes = 60000;
    // A segment must fit the route's MTU with its headers, or the kernel refuses the whole
    // send: 1452 bytes fit an Ethernet MTU under IPv6 (and IPv4). Larger datagrams, rare
    // in WebRTC, go alone.
    static constexpr std::size_t max_segment_size = 1452;

    struct Group {
        std::uint32_t first = none;  // index of the first datagram; `next` links the rest
        std::uint32_t last = none;
        std::uint16_t count = 0;
        std::uint16_t segment_size = 0;
        std::size_t bytes = 0;
        bool closed = false;  // a shorter datagram ended it, or it is full
    };

    void add(const OutgoingDatagram& d);
    void clear();
    bool empty() const { return datagrams_.empty(); }

    // Groups in the order their first datagram was added, so that each destination's
    // datagrams keep their order.
    const std::vector<Group>& groups() const { return groups_; }
    const OutgoingDatagram& datagram(std::uint32_t i) const { return datagrams_[i]; }
    std::uint32_t next(std::uint32_t i) const { return next_[i]; }

private:
    struct Key {
        int fd;
        TransportAddress to;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const { return hash_value(k.to) ^ (std::size_t(k.fd) * 0x9E3779B97F4A7C15ull); }
    };

    bool joins(const Group& g, std::size_t size) const;

    std::vector<OutgoingDatagram> datagrams_;
    std::vector<std::uint32_t> next_;
    std::vector<Group> groups_;
    boost::unordered_flat_map<Key, std::uint32_t, KeyHash> open_;  // destination -> its newest group
};

}  // namespace hallpass::relay
