#include "alloc/relay_address_pool.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

namespace hallpass::alloc {
namespace {

__extension__ typedef unsigned __int128 Uint128;

// A few random IPs before sweeping onward keeps the spread when many IPs are full.
constexpr int random_host_tries = 4;

Uint128 to_integer(const IpAddress& ip) {
    Uint128 value = 0;
    for (std::size_t i = 0; i < ip.size(); ++i) value = (value << 8) | ip.bytes[i];
    return value;
}

IpAddress from_integer(Uint128 value, AddressFamily family) {
    IpAddress ip;
    ip.family = family;
    for (std::size_t i = ip.size(); i-- > 0; value >>= 8) ip.bytes[i] = static_cast<std::uint8_t>(value);
    return ip;
}

Uint128 low_bits(int count) {
    return count >= 128 ? ~Uint128{0} : (Uint128{1} << count) - 1;
}

// Drops blocks nested in another (the earlier one wins a tie), so no IP counts twice.
std::vector<CidrBlock> without_nested(const std::vector<CidrBlock>& blocks) {
    std::vector<CidrBlock> kept;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        bool nested = false;
        for (std::size_t j = 0; j < blocks.size() && !nested; ++j) {
            if (i == j || !blocks[j].contains(blocks[i])) continue;
            nested = blocks[j].prefix < blocks[i].prefix || j < i;
        }
        if (!nested) kept.push_back(blocks[i]);
    }
    return kept;
}

std::uint64_t saturating_product(Uint128 hosts, std::uint32_t ports) {
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    if (ports == 0) return 0;
    if (hosts > max / ports) return max;
    return static_cast<std::uint64_t>(hosts * ports);
}

}  // namespace

RelayAddressPool::RelayAddressPool(std::vector<CidrBlock> ranges, PortRange ports)
    : ports_(ports) {
    if (ports.min == 0 || ports.min > ports.max)
        throw std::invalid_argument("relay port range " + std::to_string(ports.min) + "-" +
                                    std::to_string(ports.max) + " is empty or includes port 0");
    port_count_ = std::uint32_t{ports.max} - ports.min + 1;
    even_port_count_ = ports.max / 2u - (ports.min - 1u) / 2u;
    // Offset k is port min+k; bit k%64 of a word has k's parity, since words are 64 wide.
    even_pattern_ = ports.min % 2 == 0 ? 0x5555555555555555ull : 0xaaaaaaaaaaaaaaaaull;

    for (const CidrBlock& given : without_nested(ranges)) {
        // Normalise, in case a block was built by hand with host bits set.
        const CidrBlock block = *CidrBlock::make(given.network, given.prefix);
        const int width = CidrBlock::max_prefix(block.network.family);
        Range range{block, to_integer(block.network), low_bits(width - block.prefix)};
        range.skip_first = block.prefix < width - 1;                   // v4 < /31, v6 < /127
        range.skip_last = block.network.is_v4() && block.prefix < 31;  // IPv4 broadcast
        range.hosts = range.last_offset - range.skip_first - range.skip_last + 1;
        Family& family = family_of(block.network.family);
        family.ranges.push_back(range);
        family.hosts += range.hosts;  // cannot overflow: disjoint blocks, ::/0 skips one
    }
}

std::optional<TransportAddress> RelayAddressPool::acquire_with(AddressFamily family_id,
                                                               RandomWords rng, bool even_port) {
    const Family& family = family_of(family_id);
    if (!has_free_address(family, even_port)) return std::nullopt;

    Uint128 index = random_below(family.hosts, rng);
    for (int tries = 1; tries < random_host_tries && !has_room(host_at(family, index), even_port);
         ++tries)
        index = random_below(family.hosts, rng);
    // Sweep onward. Every host passed is tracked and full, and a free one exists, so this
    // ends within tracked_ips() + 1 steps; the bound only guards against a bookkeeping bug.
    for (std::size_t step = 0; !has_room(host_at(family, index), even_port); ++step) {
        if (step > ports_by_ip_.size()) return std::nullopt;
        index = (index + 1) % family.hosts;
    }

    const IpAddress ip = host_at(family, index);
    PortSet& set = ports_by_ip_[ip];
    if (set.words.empty()) set.words.assign((port_count_ + 63) / 64, 0);
    const auto start = static_cast<std::uint32_t>(rng() % port_count_);
    const auto offset = find_free_port(set, start, even_port);  // has_room says there is one
    mark(ip, set, *offset);
    return TransportAddress{ip, static_cast<std::uint16_t>(ports_.min + *offset)};
}

bool RelayAddressPool::acquire_specific(const TransportAddress& address) {
    const auto offset = port_offset(address.port);
    if (!offset || !contains(address.ip)) return false;
    PortSet& set = ports_by_ip_[address.ip];
    if (set.words.empty()) set.words.assign((port_count_ + 63) / 64, 0);
    if (set.words[*offset / 64] >> (*offset % 64) & 1) return false;
    mark(address.ip, set, *offset);
    return true;
}

bool RelayAddressPool::release(const TransportAddress& address) {
    const auto offset = port_offset(address.port);
    const auto it = ports_by_ip_.find(address.ip);
    if (!offset || it == ports_by_ip_.end()) return false;
    if (!(it->second.words[*offset / 64] >> (*offset % 64) & 1)) return false;
    unmark(address.ip, it->second, *offset);
    if (it->second.used == 0) ports_by_ip_.erase(it);
    return true;
}

bool RelayAddressPool::is_in_use(const TransportAddress& address) const {
    const auto offset = port_offset(address.port);
    const auto it = ports_by_ip_.find(address.ip);
    return offset && it != ports_by_ip_.end() && (it->second.words[*offset / 64] >> (*offset % 64) & 1);
}

std::vector<TransportAddress> RelayAddressPool::addresses_in_use() const {
    std::vector<TransportAddress> out;
    for (const auto& [ip, set] : ports_by_ip_)
        for (std::uint32_t w = 0; w < set.words.size(); ++w)
            for (std::uint64_t bits = set.words[w]; bits != 0; bits &= bits - 1) {
                const auto offset = w * 64 + static_cast<std::uint32_t>(std::countr_zero(bits));
                out.push_back({ip, static_cast<std::uint16_t>(ports_.min + offset)});
            }
    return out;
}

bool RelayAddressPool::supports(AddressFamily family) const {
    return !family_of(family).ranges.empty();
}

bool RelayAddressPool::contains(const IpAddress& address) const {
    for (const Range& range : family_of(address.family).ranges) {
        if (!range.block.contains(address)) continue;
        const Uint128 offset = to_integer(address) - range.base;
        return !(range.skip_first && offset == 0) &&
               !(range.skip_last && offset == range.last_offset);
    }
    return false;
}

std::size_t RelayAddressPool::in_use() const { return v4_.in_use + v6_.in_use; }

std::size_t RelayAddressPool::in_use(AddressFamily family) const {
    return family_of(family).in_use;
}

std::uint64_t RelayAddressPool::capacity(AddressFamily family) const {
    return saturating_product(family_of(family).hosts, port_count_);
}

RelayAddressPool::Family& RelayAddressPool::family_of(AddressFamily family) {
    return family == AddressFamily::ipv4 ? v4_ : v6_;
}

const RelayAddressPool::Family& RelayAddressPool::family_of(AddressFamily family) const {
    return family == AddressFamily::ipv4 ? v4_ : v6_;
}

// in_use counts fit in size_t, so comparing with the saturated capacity is exact.
bool RelayAddressPool::has_free_address(const Family& family, bool even_port) const {
    if (even_port) return family.in_use_even < saturating_product(family.hosts, even_port_count_);
    return family.in_use < saturating_product(family.hosts, port_count_);
}

bool RelayAddressPool::has_room(const IpAddress& ip, bool even_port) const {
    const auto it = ports_by_ip_.find(ip);
    if (it == ports_by_ip_.end()) return even_port ? even_port_count_ > 0 : true;
    return even_port ? it->second.used_even < even_port_count_ : it->second.used < port_count_;
}

// Index into the family's usable hosts, range after range in configuration order.
IpAddress RelayAddressPool::host_at(const Family& family, Uint128 index) const {
    for (const Range& range : family.ranges) {
        if (index < range.hosts)
            return from_integer(range.base + index + range.skip_first, range.block.network.family);
        index -= range.hosts;
    }
    return family.ranges.front().block.network;  // unreachable: index < family.hosts
}

// First free port offset at or after `start`, wrapping around; word by word.
std::optional<std::uint32_t> RelayAddressPool::find_free_port(const PortSet& set,
                                                              std::uint32_t start,
                                                              bool even_port) const {
    const std::uint64_t pattern = even_port ? even_pattern_ : ~std::uint64_t{0};
    const auto scan = [&](std::uint32_t from, std::uint32_t to) -> std::optional<std::uint32_t> {
        for (std::uint32_t i = from; i < to; i = (i / 64 + 1) * 64) {
            std::uint64_t free = ~set.words[i / 64] & pattern & (~std::uint64_t{0} << (i % 64));
            const std::uint32_t word_start = i / 64 * 64;
            if (to - word_start < 64) free &= (std::uint64_t{1} << (to - word_start)) - 1;
            if (free != 0) return word_start + static_cast<std::uint32_t>(std::countr_zero(free));
        }
        return std::nullopt;
    };
    if (auto found = scan(start, port_count_)) return found;
    return scan(0, start);
}

std::optional<std::uint32_t> RelayAddressPool::port_offset(std::uint16_t port) const {
    if (port < ports_.min || port > ports_.max) return std::nullopt;
    return std::uint32_t{port} - ports_.min;
}

bool RelayAddressPool::is_even_offset(std::uint32_t offset) const {
    return (ports_.min + offset) % 2 == 0;
}

void RelayAddressPool::mark(const IpAddress& ip, PortSet& set, std::uint32_t offset) {
    set.words[offset / 64] |= std::uint64_t{1} << (offset % 64);
    const bool even = is_even_offset(offset);
    ++set.used;
    set.used_even += even;
    Family& family = family_of(ip.family);
    ++family.in_use;
    family.in_use_even += even;
}

void RelayAddressPool::unmark(const IpAddress& ip, PortSet& set, std::uint32_t offset) {
    set.words[offset / 64] &= ~(std::uint64_t{1} << (offset % 64));
    const bool even = is_even_offset(offset);
    --set.used;
    set.used_even -= even;
    Family& family = family_of(ip.family);
    --family.in_use;
    family.in_use_even -= even;
}

// Uniform in [0, bound): draw as many bits as bound - 1 needs and reject overshoots
// (fewer than half the draws), so large IPv6 ranges are as fair as small IPv4 ones.
RelayAddressPool::Uint128 RelayAddressPool::random_below(Uint128 bound, RandomWords rng) {
    Uint128 mask = bound - 1;
    for (int shift = 1; shift < 128; shift *= 2) mask |= mask >> shift;
    for (;;) {
        Uint128 value = rng();
        if (mask > std::numeric_limits<std::uint64_t>::max()) value |= Uint128{rng()} << 64;
        if ((value & mask) < bound) return value & mask;
    }
}

}  // namespace hallpass::alloc
