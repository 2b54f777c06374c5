// MESSAGE-INTEGRITY (HMAC-SHA1), MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (CRC-32), and the
// long-term credential key (RFC 8489 §9.2.2, §14.5, §14.6, §14.7). Pure computation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace hallpass::stun {

class MessageView;

// The key of RFC 8489 §9.2.2: MD5(username ":" realm ":" password) for the default
// password algorithm; 16 bytes. SHA-256 keys (32 bytes) use the same holder.
struct IntegrityKey {
    std::array<std::uint8_t, 32> bytes{};
    std::uint8_t size = 0;

    std::span<const std::uint8_t> view() const { return {bytes.data(), size}; }
    bool empty() const { return size == 0; }
    friend bool operator==(const IntegrityKey&, const IntegrityKey&) = default;
};

IntegrityKey long_term_key_md5(std::string_view username, std::string_view realm,
                               std::string_view password);
IntegrityKey long_term_key_sha256(std::string_view username, std::string_view realm,
                                  std::string_view password);
// RFC 5389 short-term credentials: the key is the password itself.
IntegrityKey short_term_key(std::string_view password);

// HMAC-SHA1 and HMAC-SHA256 over several pieces, as the integrity checks need them.
std::array<std::uint8_t, 20> hmac_sha1(std::span<const std::uint8_t> key,
                                       std::span<const std::span<const std::uint8_t>> pieces);
std::array<std::uint8_t, 32> hmac_sha256(std::span<const std::uint8_t> key,
                                         std::span<const std::span<const std::uint8_t>> pieces);

// Integrity checks on a parsed message; false when the attribute is absent.
bool message_integrity_matches(const MessageView& message, const IntegrityKey& key);
bool message_integrity_sha256_matches(const MessageView& message, const IntegrityKey& key);

// Checks the FINGERPRINT attribute that starts at `offset` in `message`.
bool fingerprint_matches(std::span<const std::uint8_t> message, std::size_t offset);
// CRC-32 of `bytes` XOR 0x5354554e, with the message length field taken as `length`.
std::uint32_t fingerprint_value(std::span<const std::uint8_t> bytes, std::uint16_t length);

}  // namespace hallpass::stun
