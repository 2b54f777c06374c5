#include "turn/nonce_issuer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <span>

#include "stun/byte_order.hpp"
#include "stun/integrity.hpp"

namespace hallpass::turn {
namespace {

constexpr std::size_t raw_size = 12;  // 4 bytes of time, 8 of MAC: 16 base64 characters

}  // namespace

NonceIssuer::NonceIssuer(std::array<std::uint8_t, 32> key, std::int64_t lifetime_seconds)
    : key_(key), lifetime_(lifetime_seconds) {}

std::array<std::uint8_t, 32> NonceIssuer::key_for_realm(std::string_view realm) {
    constexpr std::string_view label = "hallpass nonce key v1";
    const std::span<const std::uint8_t> pieces[] = {
        {reinterpret_cast<const std::uint8_t*>(realm.data()), realm.size()}};
    return stun::hmac_sha256({reinterpret_cast<const std::uint8_t*>(label.data()), label.size()}, pieces);
}

std::array<std::uint8_t, 8> NonceIssuer::mac(std::uint32_t issued, const IpAddress& client) const {
    std::uint8_t buf[4 + 1 + 16];
    stun::write_u32(buf, issued);
    buf[4] = static_cast<std::uint8_t>(client.family);
    std::copy(client.bytes.begin(), client.bytes.end(), buf + 5);
    const std::span<const std::uint8_t> pieces[] = {buf};
    const auto full = stun::hmac_sha256(key_, pieces);
    std::array<std::uint8_t, 8> out{};
    std::copy_n(full.begin(), out.size(), out.begin());
    return out;
}

NonceIssuer::Text NonceIssuer::issue(const TransportAddress& client, std::int64_t now_unix) const {
    const auto issued = static_cast<std::uint32_t>(now_unix);
    std::uint8_t raw[raw_size];
    stun::write_u32(raw, issued);
    const auto m = mac(issued, client.ip);
    std::copy(m.begin(), m.end(), raw + 4);
    unsigned char encoded[size + 1];  // EVP_EncodeBlock adds a NUL
    EVP_EncodeBlock(encoded, raw, static_cast<int>(raw_size));
    Text text;
    std::copy_n(encoded, size, text.chars.begin());
    return text;
}

NonceIssuer::Verdict NonceIssuer::check(std::string_view nonce, const TransportAddress& client,
                                        std::int64_t now_unix) const {
    if (nonce.size() != size || now_unix < 0) return Verdict::stale;
    unsigned char raw[raw_size + 3];  // EVP_DecodeBlock writes whole 3-byte groups
    if (EVP_DecodeBlock(raw, reinterpret_cast<const unsigned char*>(nonce.data()), static_cast<int>(size)) !=
        static_cast<int>(raw_size))
        return Verdict::stale;
    // The issue time is 32 bits of Unix time; `now` is mapped the same way, so the age is
    // right across 2106's wrap as long as nonces live less than 68 years.
    const std::uint32_t issued = stun::read_u32(raw);
    const auto age = static_cast<std::int64_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(now_unix) - issued));
    if (age < 0 || age >= lifetime_) return Verdict::stale;
    const auto expected = mac(issued, client.ip);
    if (CRYPTO_memcmp(expected.data(), raw + 4, expected.size()) != 0) return Verdict::stale;
    return Verdict::valid;
}

}  // namespace hallpass::turn
