#include "relay/proxy_protocol.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "stun/byte_order.hpp"

namespace hallpass::relay {
namespace {

using Status = ProxyParse::Status;

constexpr std::string_view v1_prefix = "PROXY ";
constexpr std::array<std::uint8_t, 12> v2_signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                       0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
constexpr std::size_t v2_header_size = 16;

ProxyParse need_more() { return ProxyParse{}; }
ProxyParse invalid(std::string_view place, std::string_view reason) {
    return ProxyParse{Status::invalid, {}, ParseError{place, reason}};
}
ProxyParse done(std::size_t length, std::optional<TransportAddress> source = std::nullopt,
                std::optional<TransportAddress> destination = std::nullopt) {
    return ProxyParse{Status::done, ProxyHeader{source, destination, length}, {}};
}

// True when the first min(size, prefix size) bytes of `bytes` match `prefix`.
template <class Prefix>
bool starts_like(std::span<const std::uint8_t> bytes, const Prefix& prefix) {
    const std::size_t n = std::min(bytes.size(), prefix.size());
    return std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n),
                      prefix.begin(), [](std::uint8_t a, auto b) {
                          return a == static_cast<std::uint8_t>(b);
                      });
}

// ---- v1 ------------------------------------------------------------------------------

// Spec §2.1: "the port ... in decimal in the range [0..65535]". Strict: digits only, no
// sign, no leading zero.
std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    unsigned value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

// Cuts the next field off `rest` at a single space; the last field runs to the end.
std::string_view next_field(std::string_view& rest) {
    const auto space = rest.find(' ');
    const std::string_view field = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    return field;
}

// `line`: what follows "PROXY " up to, not including, the CRLF.
ProxyParse parse_v1_line(std::string_view line, std::size_t length) {
    // "PROXY UNKNOWN": "the receiver must ignore anything presented before the CRLF".
    constexpr std::string_view unknown = "UNKNOWN";
    if (line.substr(0, unknown.size()) == unknown &&
        (line.size() == unknown.size() || line[unknown.size()] == ' '))
        return done(length);

    std::string_view rest = line;
    const std::string_view protocol = next_field(rest);
    AddressFamily family{};
    if (protocol == "TCP4") family = AddressFamily::ipv4;
    else if (protocol == "TCP6") family = AddressFamily::ipv6;
    else return invalid("PROXY v1", "protocol is not TCP4, TCP6 or UNKNOWN");

    const std::string_view source_text = next_field(rest);
    const std::string_view destination_text = next_field(rest);
    const std::string_view source_port_text = next_field(rest);
    const std::string_view destination_port_text = rest;
    if (destination_port_text.find(' ') != std::string_view::npos || source_port_text.empty() ||
        destination_port_text.empty() || source_text.empty() || destination_text.empty())
        return invalid("PROXY v1", "not five fields separated by single spaces");

    const auto source_ip = IpAddress::parse(source_text);
    const auto destination_ip = IpAddress::parse(destination_text);
    if (!source_ip || source_ip->family != family)
        return invalid("PROXY v1", "source address is not valid for the protocol");
    if (!destination_ip || destination_ip->family != family)
        return invalid("PROXY v1", "destination address is not valid for the protocol");
    const auto source_port = parse_port(source_port_text);
    const auto destination_port = parse_port(destination_port_text);
    if (!source_port) return invalid("PROXY v1", "source port is not 0..65535");
    if (!destination_port) return invalid("PROXY v1", "destination port is not 0..65535");
    return done(length, TransportAddress{*source_ip, *source_port},
                TransportAddress{*destination_ip, *destination_port});
}

ProxyParse parse_v1(std::span<const std::uint8_t> bytes) {
    // Look for the CRLF within the first 107 bytes; anything but printable ASCII before it
    // is not a PROXY line, and is refused as soon as it is seen.
    const std::size_t limit = std::min(bytes.size(), proxy_v1_max_size);
    for (std::size_t i = v1_prefix.size(); i < limit; ++i) {
        const std::uint8_t c = bytes[i];
        if (c == '\r') {
            if (i + 2 > proxy_v1_max_size) return invalid("PROXY v1", "no CRLF within 107 bytes");
            if (i + 1 == bytes.size()) return need_more();
            if (bytes[i + 1] != '\n') return invalid("PROXY v1", "CR not followed by LF");
            const std::string_view line(reinterpret_cast<const char*>(bytes.data()) +
                                            v1_prefix.size(),
                                        i - v1_prefix.size());
            return parse_v1_line(line, i + 2);
        }
        if (c < 0x20 || c > 0x7E) return invalid("PROXY v1", "not printable ASCII before CRLF");
    }
    if (bytes.size() >= proxy_v1_max_size) return invalid("PROXY v1", "no CRLF within 107 bytes");
    return need_more();
}

// ---- v2 ------------------------------------------------------------------------------

TransportAddress v2_address(const std::uint8_t* address, std::size_t size,
                            const std::uint8_t* port) {
    IpAddress ip;
    ip.family = size == 4 ? AddressFamily::ipv4 : AddressFamily::ipv6;
    std::copy(address, address + size, ip.bytes.begin());
    // An IPv4 client carried as ::ffff:a.b.c.d is the same client as a.b.c.d for the
    // per-IP limit and the nonce.
    return TransportAddress{ip.unmapped(), stun::read_u16(port)};
}

ProxyParse parse_v2(std::span<const std::uint8_t> bytes) {
    if (bytes.size() <= 12) return need_more();
    // Spec §2.2: "The highest four bits contains the version. [...] must always be 0x2."
    const std::uint8_t version = bytes[12] >> 4;
    const std::uint8_t command = bytes[12] & 0x0F;
    if (version != 2) return invalid("PROXY v2", "version is not 2");
    if (command > 1) return invalid("PROXY v2", "command is neither LOCAL nor PROXY");
    if (bytes.size() <= 13) return need_more();
    const std::uint8_t family = bytes[13] >> 4;       // 0 UNSPEC, 1 INET, 2 INET6, 3 UNIX
    const std::uint8_t transport = bytes[13] & 0x0F;  // 0 UNSPEC, 1 STREAM, 2 DGRAM
    if (bytes.size() < v2_header_size) return need_more();
    const std::size_t block = stun::read_u16(bytes.data() + 14);
    const std::size_t length = v2_header_size + block;

    // LOCAL (health checks from the proxy itself): "the receiver must accept this
    // connection as valid and must use the real connection endpoints and discard the
    // protocol block including the family which is ignored."
    const bool local = command == 0;
    std::size_t address_size = 0;
    if (!local) {
        if (family > 3) return invalid("PROXY v2", "unknown address family");
        if (transport > 2) return invalid("PROXY v2", "unknown transport protocol");
        if (family == 1 || family == 2) {
            if (transport != 1) return invalid("PROXY v2", "transport is not STREAM");
            address_size = family == 1 ? 4 : 16;
            if (block < 2 * address_size + 4)
                return invalid("PROXY v2", "address block shorter than its family needs");
        }
    }
    if (bytes.size() < length) return need_more();
    if (address_size == 0) return done(length);  // LOCAL, UNSPEC or UNIX: the socket's peer

    // Whatever follows the addresses up to `block` is TLVs (spec §2.2.7), skipped.
    const std::uint8_t* p = bytes.data() + v2_header_size;
    return done(length, v2_address(p, address_size, p + 2 * address_size),
                v2_address(p + address_size, address_size, p + 2 * address_size + 2));
}

}  // namespace

ProxyParse parse_proxy_header(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return need_more();
    if (starts_like(bytes, v1_prefix)) {
        if (bytes.size() < v1_prefix.size()) return need_more();
        return parse_v1(bytes);
    }
    if (starts_like(bytes, v2_signature)) return parse_v2(bytes);
    return invalid("PROXY", "starts with neither the v1 nor the v2 signature");
}

}  // namespace hallpass::relay
