#include "stun/transport_address.hpp"

#include <arpa/inet.h>  // inet_pton/inet_ntop: text conversion only, no sockets

#include <cstring>

namespace hallpass {

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    a.family = AddressFamily::ipv4;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

IpAddress IpAddress::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return v4((std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d);
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& b) {
    IpAddress a;
    a.family = AddressFamily::ipv6;
    a.bytes = b;
    return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    std::string s(text);
    IpAddress a;
    if (s.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
        a.family = AddressFamily::ipv4;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    a.family = AddressFamily::ipv6;
    return a;
}

std::uint32_t IpAddress::v4_host_order() const {
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
           (std::uint32_t{bytes[2]} << 8) | bytes[3];
}

IpAddress IpAddress::unmapped() const {
    static constexpr std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (family != AddressFamily::ipv6 || std::memcmp(bytes.data(), prefix, 12) != 0) return *this;
    return v4(bytes[12], bytes[13], bytes[14], bytes[15]);
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

std::optional<TransportAddress> TransportAddress::parse(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    auto ip = IpAddress::parse(host);
    if (!ip || port.empty() || port.size() > 5) return std::nullopt;
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return std::nullopt;
    return TransportAddress{*ip, static_cast<std::uint16_t>(value)};
}

std::string TransportAddress::to_string() const {
    if (ip.is_v4()) return ip.to_string() + ":" + std::to_string(port);
    return "[" + ip.to_string() + "]:" + std::to_string(port);
}

std::size_t hash_value(const IpAddress& a) {
    // FNV-1a over the used bytes: cheap, and good enough for hash-table buckets.
    std::uint64_t h = 1469598103934665603ull ^ static_cast<std::uint8_t>(a.family);
    for (std::size_t i = 0; i < a.size(); ++i) h = (h ^ a.bytes[i]) * 1099511628211ull;
    return static_cast<std::size_t>(h);
}

std::size_t hash_value(const TransportAddress& a) {
    return hash_value(a.ip) * 31u + a.port;
}

}  // namespace hallpass
