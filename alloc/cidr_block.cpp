#include "alloc/cidr_block.hpp"

#include <charconv>
#include <utility>

namespace hallpass::alloc {
namespace {

// Keeps the first `prefix` bits of the address and zeroes the rest.
IpAddress masked(IpAddress address, int prefix) {
    for (std::size_t i = 0; i < address.size(); ++i) {
        const int bits_left = prefix - static_cast<int>(i * 8);
        if (bits_left >= 8) continue;
        const unsigned keep = bits_left <= 0 ? 0u : (0xffu << (8 - bits_left)) & 0xffu;
        address.bytes[i] = static_cast<std::uint8_t>(address.bytes[i] & keep);
    }
    return address;
}

CidrParse failure(std::string message) { return CidrParse{std::nullopt, std::move(message)}; }

// Digits only, at most three: rejects "+8", " 8", "8 " and "0x8" that from_chars or stoi
// would partly accept.
std::optional<int> parse_prefix(std::string_view text) {
    if (text.empty() || text.size() > 3) return std::nullopt;
    for (char c : text)
        if (c < '0' || c > '9') return std::nullopt;
    int value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

}  // namespace

std::optional<CidrBlock> CidrBlock::make(const IpAddress& address, int prefix) {
    if (prefix < 0 || prefix > max_prefix(address.family)) return std::nullopt;
    return CidrBlock{masked(address, prefix), prefix};
}

CidrParse CidrBlock::parse_with_reason(std::string_view text) {
    if (text.empty()) return failure("empty CIDR block");
    const auto slash = text.find('/');
    const auto address_text = text.substr(0, slash);
    const auto address = IpAddress::parse(address_text);
    if (!address)
        return failure("'" + std::string(address_text) +
                       "' is not an IPv4 or IPv6 address");
    const int max = max_prefix(address->family);
    if (slash == std::string_view::npos) return CidrParse{make(*address, max), {}};

    const auto prefix_text = text.substr(slash + 1);
    const auto prefix = parse_prefix(prefix_text);
    if (!prefix)
        return failure("prefix '" + std::string(prefix_text) +
                       "' is not a number");
    if (*prefix > max)
        return failure("prefix /" + std::to_string(*prefix) +
                       " is out of range for " + (address->is_v4() ? "IPv4" : "IPv6") +
                       " (0-" + std::to_string(max) + ")");
    const CidrBlock block = *make(*address, *prefix);
    if (block.network != *address)
        return failure("host bits are set (the network would be " +
                       block.to_string() + ")");
    return CidrParse{block, {}};
}

std::optional<CidrBlock> CidrBlock::parse(std::string_view text) {
    return parse_with_reason(text).block;
}

bool CidrBlock::contains(const IpAddress& address) const {
    return address.family == network.family && masked(address, prefix) == network;
}

bool CidrBlock::contains(const CidrBlock& other) const {
    return other.prefix >= prefix && contains(other.network);
}

std::string CidrBlock::to_string() const {
    return network.to_string() + "/" + std::to_string(prefix);
}

}  // namespace hallpass::alloc
