// TransportAddress: an IP address and port as the STUN codec and the TURN core see them.
// A plain value type with no socket headers, so that stun/, alloc/ and turn/ stay free of
// I/O; relay/ converts to and from sockaddr at its edge.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace hallpass {

enum class AddressFamily : std::uint8_t { ipv4 = 1, ipv6 = 2 };

// An IPv4 address lives in the first 4 bytes; the rest stay zero so that comparison and
// hashing work on the whole array.
struct IpAddress {
    AddressFamily family = AddressFamily::ipv4;
    std::array<std::uint8_t, 16> bytes{};

    static IpAddress v4(std::uint32_t host_order);
    static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
    static IpAddress v6(const std::array<std::uint8_t, 16>& b);
    static std::optional<IpAddress> parse(std::string_view text);

    std::size_t size() const { return family == AddressFamily::ipv4 ? 4 : 16; }
    bool is_v4() const { return family == AddressFamily::ipv4; }
    std::uint32_t v4_host_order() const;
    // ::ffff:a.b.c.d → a.b.c.d; anything else unchanged.
    IpAddress unmapped() const;
    // 0.0.0.0 or ::, which a socket binds to listen on every address of its family.
    bool is_wildcard() const { return *this == IpAddress{family, {}}; }
    std::string to_string() const;

    friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct TransportAddress {
    IpAddress ip;
    std::uint16_t port = 0;

    // "1.2.3.4:5" or "[::1]:5".
    static std::optional<TransportAddress> parse(std::string_view text);
    std::string to_string() const;

    friend auto operator<=>(const TransportAddress&, const TransportAddress&) = default;
};

std::size_t hash_value(const IpAddress& a);

// Two sockets of one protocol that the kernel could mix up: the same port, and the same IP
// or a wildcard of the same family (under SO_REUSEPORT both bind, and share the traffic).
inline bool sockets_overlap(const TransportAddress& a, const TransportAddress& b) {
    return a.port == b.port && a.ip.family == b.ip.family && (a.ip == b.ip || a.ip.is_wildcard() || b.ip.is_wildcard());
}
std::size_t hash_value(const TransportAddress& a);

}  // namespace hallpass

template <>
struct std::hash<hallpass::IpAddress> {
    std::size_t operator()(const hallpass::IpAddress& a) const { return hallpass::hash_value(a); }
};
template <>
struct std::hash<hallpass::TransportAddress> {
    std::size_t operator()(const hallpass::TransportAddress& a) const {
        return hallpass::hash_value(a);
    }
};
