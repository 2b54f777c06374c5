#include "relay/proc_net_udp.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <optional>

namespace hallpass::relay {
namespace {

std::optional<std::uint32_t> hex32(std::string_view s) {
    std::uint32_t v = 0;
    if (s.size() != 8) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// The kernel prints each 32-bit word of the address as a number in host byte order, so
// the word's bytes in memory are the address's bytes in network order.
std::optional<IpAddress> address_of(std::string_view hex) {
    if (hex.size() != 8 && hex.size() != 32) return std::nullopt;
    std::array<std::uint8_t, 16> bytes{};
    for (std::size_t w = 0; w < hex.size() / 8; ++w) {
        const auto word = hex32(hex.substr(w * 8, 8));
        if (!word) return std::nullopt;
        std::memcpy(bytes.data() + 4 * w, &*word, 4);
    }
    if (hex.size() == 8) return IpAddress::v4(bytes[0], bytes[1], bytes[2], bytes[3]);
    return IpAddress::v6(bytes);
}

template <typename Number>
bool whole_number(std::string_view text, Number& out, int base) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
    return ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> fields_of(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t at = 0;
    while (at < line.size()) {
        while (at < line.size() && line[at] == ' ') ++at;
        const auto end = std::min(line.find(' ', at), line.size());
        if (end > at) fields.push_back(line.substr(at, end - at));
        at = end;
    }
    return fields;
}

// "  12: 0100007F:0D96 00000000:0000 07 ... uid timeout inode ..."
std::optional<ProcUdpSocket> socket_of(std::string_view line) {
    const auto f = fields_of(line);
    if (f.size() < 10 || f[0].empty() || f[0].back() != ':') return std::nullopt;
    const auto colon = f[1].find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto ip = address_of(f[1].substr(0, colon));
    const auto port_text = f[1].substr(colon + 1);
    unsigned port = 0;
    std::uint32_t uid = 0;
    std::uint64_t inode = 0;
    if (!ip || !whole_number(port_text, port, 16) || port > 0xFFFF || !whole_number(f[7], uid, 10) ||
        !whole_number(f[9], inode, 10))
        return std::nullopt;
    return ProcUdpSocket{*ip, static_cast<std::uint16_t>(port), uid, inode};
}

}  // namespace

std::vector<ProcUdpSocket> parse_proc_net_udp(std::string_view text) {
    std::vector<ProcUdpSocket> out;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = std::min(text.find('\n', at), text.size());
        if (auto s = socket_of(text.substr(at, end - at))) out.push_back(*s);
        at = end + 1;
    }
    return out;
}

}  // namespace hallpass::relay
