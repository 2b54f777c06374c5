#include "stun/integrity.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <boost/crc.hpp>
#include <cstdlib>

#include "stun/byte_order.hpp"
#include "stun/message_type.hpp"
#include "stun/message_view.hpp"

namespace hallpass::stun {
namespace {

constexpr std::uint32_t fingerprint_xor = 0x5354554e;

// A context per digest and thread, made once: creating one and naming its digest looks
// the algorithm up in OpenSSL's provider tables (under a lock, with allocations), which
// cost more than the HMAC of a STUN message itself. Re-initialising with a new key keeps
// the digest.
EVP_MAC_CTX* hmac_context(const char* digest) {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // immutable, shareable
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_end()};
    if (ctx && EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = nullptr;
    }
    return ctx;
}

struct HmacContexts {
    EVP_MAC_CTX* sha1 = nullptr;
    EVP_MAC_CTX* sha256 = nullptr;
    HmacContexts() = default;
    HmacContexts(const HmacContexts&) = delete;
    HmacContexts& operator=(const HmacContexts&) = delete;
    ~HmacContexts() {
        EVP_MAC_CTX_free(sha1);
        EVP_MAC_CTX_free(sha256);
    }
    // Made on first use, and tried again after a failure (out of memory) rather than
    // staying broken for the thread's life.
    EVP_MAC_CTX* get(EVP_MAC_CTX* HmacContexts::*which, const char* digest) {
        if (!(this->*which)) this->*which = hmac_context(digest);
        return this->*which;
    }
};

bool hmac_into(EVP_MAC_CTX* HmacContexts::*which, const char* digest, std::span<const std::uint8_t> key,
               std::span<const std::span<const std::uint8_t>> pieces, std::span<std::uint8_t> out) {
    thread_local HmacContexts contexts;
    EVP_MAC_CTX* ctx = contexts.get(which, digest);
    static const std::uint8_t no_key = 0;  // a null key pointer would keep the previous key
    std::size_t len = 0;
    if (!ctx || EVP_MAC_init(ctx, key.empty() ? &no_key : key.data(), key.size(), nullptr) != 1) return false;
    for (auto piece : pieces)
        if (EVP_MAC_update(ctx, piece.data(), piece.size()) != 1) return false;
    return EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == out.size();
}

// A MAC that could not be computed comes out unpredictable, never as zeros: it then
// matches no received MESSAGE-INTEGRITY, and a nonce made with it never verifies.
template <std::size_t N>
std::array<std::uint8_t, N> hmac(EVP_MAC_CTX* HmacContexts::*which, const char* digest,
                                 std::span<const std::uint8_t> key,
                                 std::span<const std::span<const std::uint8_t>> pieces) {
    std::array<std::uint8_t, N> out{};
    if (!hmac_into(which, digest, key, pieces, out) && RAND_bytes(out.data(), static_cast<int>(N)) != 1)
        std::abort();  // neither the MAC nor randomness: nothing safe is left to answer with
    return out;
}

IntegrityKey digest_key(const EVP_MD* md, std::string_view username, std::string_view realm,
                        std::string_view password) {
    IntegrityKey key;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned len = 0;
    if (ctx && EVP_DigestInit_ex(ctx, md, nullptr) == 1) {
        EVP_DigestUpdate(ctx, username.data(), username.size());
        EVP_DigestUpdate(ctx, ":", 1);
        EVP_DigestUpdate(ctx, realm.data(), realm.size());
        EVP_DigestUpdate(ctx, ":", 1);
        EVP_DigestUpdate(ctx, password.data(), password.size());
        EVP_DigestFinal_ex(ctx, key.bytes.data(), &len);
    }
    EVP_MD_CTX_free(ctx);
    key.size = static_cast<std::uint8_t>(len);
    // Without the digest (MD5 is absent in FIPS mode) an empty key would let anyone compute
    // the MAC: an unpredictable key instead matches nothing.
    if (len == 0) {
        key.size = 16;
        if (RAND_bytes(key.bytes.data(), key.size) != 1) std::abort();
    }
    return key;
}

// The header as it was when the sender computed the attribute at `offset`: its length
// field covers everything up to and including that attribute.
std::array<std::uint8_t, header_size> header_for(std::span<const std::uint8_t> msg,
                                                 std::size_t attr_end) {
    std::array<std::uint8_t, header_size> h{};
    std::copy(msg.begin(), msg.begin() + header_size, h.begin());
    write_u16(h.data() + 2, static_cast<std::uint16_t>(attr_end - header_size));
    return h;
}

}  // namespace

IntegrityKey long_term_key_md5(std::string_view u, std::string_view r, std::string_view p) {
    static const EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);  // fetched once, as above
    return digest_key(md5, u, r, p);
}

IntegrityKey long_term_key_sha256(std::string_view u, std::string_view r, std::string_view p) {
    static const EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return digest_key(sha256, u, r, p);
}

IntegrityKey short_term_key(std::string_view password) {
    IntegrityKey key;
    key.size = static_cast<std::uint8_t>(std::min<std::size_t>(password.size(), key.bytes.size()));
    std::copy_n(password.begin(), key.size, key.bytes.begin());
    return key;
}

std::array<std::uint8_t, 20> hmac_sha1(std::span<const std::uint8_t> key,
                                       std::span<const std::span<const std::uint8_t>> pieces) {
    return hmac<20>(&HmacContexts::sha1, "SHA1", key, pieces);
}

std::array<std::uint8_t, 32> hmac_sha256(std::span<const std::uint8_t> key,
                                         std::span<const std::span<const std::uint8_t>> pieces) {
    return hmac<32>(&HmacContexts::sha256, "SHA256", key, pieces);
}

bool message_integrity_matches(const MessageView& message, const IntegrityKey& key) {
    auto attr = message.find(AttributeType::message_integrity);
    if (!attr || attr->value.size() != 20) return false;
    const auto msg = message.bytes();
    const auto header = header_for(msg, attr->offset + attribute_header_size + 20);
    const std::span<const std::uint8_t> pieces[] = {
        header, msg.subspan(header_size, attr->offset - header_size)};
    const auto mac = hmac_sha1(key.view(), pieces);
    return CRYPTO_memcmp(mac.data(), attr->value.data(), mac.size()) == 0;
}

bool message_integrity_sha256_matches(const MessageView& message, const IntegrityKey& key) {
    auto attr = message.find(AttributeType::message_integrity_sha256);
    // RFC 8489 §14.6: at least 16 bytes, a multiple of 4, at most 32.
    if (!attr) return false;
    const std::size_t n = attr->value.size();
    if (n < 16 || n > 32 || n % 4 != 0) return false;
    const auto msg = message.bytes();
    const auto header = header_for(msg, attr->offset + attribute_header_size + n);
    const std::span<const std::uint8_t> pieces[] = {
        header, msg.subspan(header_size, attr->offset - header_size)};
    const auto mac = hmac_sha256(key.view(), pieces);
    return CRYPTO_memcmp(mac.data(), attr->value.data(), n) == 0;
}

std::uint32_t fingerprint_value(std::span<const std::uint8_t> bytes, std::uint16_t length) {
    boost::crc_32_type crc;
    std::uint8_t len[2];
    write_u16(len, length);
    crc.process_bytes(bytes.data(), 2);
    crc.process_bytes(len, 2);
    crc.process_bytes(bytes.data() + 4, bytes.size() - 4);
    return crc.checksum() ^ fingerprint_xor;
}

bool fingerprint_matches(std::span<const std::uint8_t> message, std::size_t offset) {
    const auto length = static_cast<std::uint16_t>(offset + 8 - header_size);
    const std::uint32_t expected = read_u32(message.data() + offset + attribute_header_size);
    return fingerprint_value(message.first(offset), length) == expected;
}

}  // namespace hallpass::stun
