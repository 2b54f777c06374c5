// CIDR text checks; see cidr_text.hpp.
#include "config/cidr_text.hpp"

#include <charconv>

namespace hallpass::config::detail {
namespace {

// Bits of `ip` kept by a /prefix mask, the rest zero.
IpAddress masked(const IpAddress& ip, int prefix) {
    IpAddress out = ip;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int keep = prefix - static_cast<int>(i) * 8;
        if (keep >= 8) continue;
        const unsigned mask = keep <= 0 ? 0u : (0xffu << (8 - keep)) & 0xffu;
        out.bytes[i] = static_cast<std::uint8_t>(out.bytes[i] & mask);
    }
    return out;
}

std::optional<int> parse_prefix(std::string_view text) {
    int value = -1;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
    return value;
}

}  // namespace

bool CidrText::contains(const IpAddress& ip) const {
    return ip.family == network.family && masked(ip, prefix) == network;
}

CidrParse parse_cidr_text(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return {std::nullopt, "expected address/prefix"};
    const auto ip = IpAddress::parse(text.substr(0, slash));
    if (!ip) return {std::nullopt, "not an IPv4 or IPv6 address before '/'"};
    const int max_prefix = ip->is_v4() ? 32 : 128;
    const auto prefix = parse_prefix(text.substr(slash + 1));
    if (!prefix || *prefix < 0 || *prefix > max_prefix)
        return {std::nullopt, "prefix must be 0.." + std::to_string(max_prefix)};
    // Host bits set usually means a typo in the prefix (/24 for /25): refuse rather than
    // silently widen or narrow the block.
    const IpAddress network = masked(*ip, *prefix);
    if (network != *ip)
        return {std::nullopt, "host bits are set (the network would be " + network.to_string() +
                                  "/" + std::to_string(*prefix) + ")"};
    return {CidrText{network, *prefix}, {}};
}

}  // namespace hallpass::config::detail
