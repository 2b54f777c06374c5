#include "turn/nonce_issuer.hpp"

#include <openssl/crypto.h>

#include <charconv>
#include <span>

#include "stun/byte_order.hpp"
#include "stun/integrity.hpp"

namespace hallpass::turn {
namespace {

constexpr std::size_t time_digits = 16;  // hex of the issue time
constexpr std::size_t mac_digits = 24;   // 96 bits of HMAC-SHA256

std::string hex(std::span<const std::uint8_t> bytes, std::size_t digits) {
    static constexpr char d[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; s.size() < digits && i < bytes.size(); ++i) {
        s.push_back(d[bytes[i] >> 4]);
        s.push_back(d[bytes[i] & 0xF]);
    }
    return s;
}

}  // namespace

NonceIssuer::NonceIssuer(std::array<std::uint8_t, 32> key, std::int64_t lifetime_seconds)
    : key_(key), lifetime_(lifetime_seconds) {}

std::string NonceIssuer::mac_hex(std::uint64_t issued, const TransportAddress& client) const {
    std::uint8_t buf[8 + 1 + 16 + 2];
    stun::write_u32(buf, static_cast<std::uint32_t>(issued >> 32));
    stun::write_u32(buf + 4, static_cast<std::uint32_t>(issued));
    buf[8] = static_cast<std::uint8_t>(client.ip.family);
    std::copy(client.ip.bytes.begin(), client.ip.bytes.end(), buf + 9);
    stun::write_u16(buf + 25, client.port);
    const std::span<const std::uint8_t> pieces[] = {buf};
    return hex(stun::hmac_sha256(key_, pieces), mac_digits);
}

std::string NonceIssuer::issue(const TransportAddress& client, std::int64_t now_unix) const {
    const auto issued = static_cast<std::uint64_t>(now_unix);
    std::uint8_t t[8];
    stun::write_u32(t, static_cast<std::uint32_t>(issued >> 32));
    stun::write_u32(t + 4, static_cast<std::uint32_t>(issued));
    return hex(t, time_digits) + mac_hex(issued, client);
}

NonceIssuer::Verdict NonceIssuer::check(std::string_view nonce, const TransportAddress& client,
                                        std::int64_t now_unix) const {
    if (nonce.size() != time_digits + mac_digits) return Verdict::stale;
    std::uint64_t issued = 0;
    auto [end, ec] = std::from_chars(nonce.data(), nonce.data() + time_digits, issued, 16);
    if (ec != std::errc{} || end != nonce.data() + time_digits) return Verdict::stale;
    // A time from the future (or past INT64_MAX, which would overflow the subtraction) is
    // refused before the age is computed.
    if (now_unix < 0 || issued > static_cast<std::uint64_t>(now_unix)) return Verdict::stale;
    const auto age = now_unix - static_cast<std::int64_t>(issued);
    if (age >= lifetime_) return Verdict::stale;
    const std::string expected = mac_hex(issued, client);
    if (CRYPTO_memcmp(expected.data(), nonce.data() + time_digits, mac_digits) != 0)
        return Verdict::stale;
    return Verdict::valid;
}

}  // namespace hallpass::turn
