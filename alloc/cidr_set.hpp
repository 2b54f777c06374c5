// CidrSet: a short list of CIDR blocks asked "is this address in any of them?" — the
// peer deny list (DESIGN.md "Defaults that protect the host") and its `allow` overrides.
// A linear scan: the lists hold a few dozen blocks and are checked on CreatePermission and
// ChannelBind, not per packet.
#pragma once

#include <utility>
#include <vector>

#include "alloc/cidr_block.hpp"

namespace hallpass::alloc {

class CidrSet {
public:
    CidrSet() = default;
    explicit CidrSet(std::vector<CidrBlock> blocks) : blocks_(std::move(blocks)) {}

    void add(const CidrBlock& block) { blocks_.push_back(block); }
    // Same-family match only; see CidrBlock::contains (pass address.unmapped() to check an
    // IPv4-mapped IPv6 peer as the IPv4 inside).
    bool contains(const IpAddress& address) const;
    bool empty() const { return blocks_.empty(); }
    std::size_t size() const { return blocks_.size(); }
    const std::vector<CidrBlock>& blocks() const { return blocks_; }

private:
    std::vector<CidrBlock> blocks_;
};

}  // namespace hallpass::alloc
