#include "relay/segment_groups.hpp"

namespace hallpass::relay {

bool SegmentGroups::joins(const Group& g, std::size_t size) const {
    // An empty datagram would vanish as a segment of nothing.
    return !g.closed && g.count < max_segments && size != 0 && size <= g.segment_size && g.bytes + size <= max_bytes;
}

void SegmentGroups::add(const OutgoingDatagram& d) {
    const auto index = static_cast<std::uint32_t>(datagrams_.size());
    datagrams_.push_back(d);
    next_.push_back(none);
    const std::size_t size = d.bytes.size();
    auto [it, fresh] = open_.try_emplace(Key{d.fd, d.to}, none);
    if (!fresh && joins(groups_[it->second], size)) {
        Group& g = groups_[it->second];
        next_[g.last] = index;
        g.last = index;
        ++g.count;
        g.bytes += size;
        // Only the last segment may be shorter; a full group takes no more either.
        g.closed = size < g.segment_size || g.count == max_segments;
        return;
    }
    it->second = static_cast<std::uint32_t>(groups_.size());
    Group g;
    g.first = g.last = index;
    g.count = 1;
    g.segment_size = static_cast<std::uint16_t>(size);
    g.bytes = size;
    g.closed = size == 0 || size > max_segment_size;
    groups_.push_back(g);
}

void SegmentGroups::clear() {
    datagrams_.clear();
    next_.clear();
    groups_.clear();
    open_.clear();
}

}  // namespace hallpass::relay
