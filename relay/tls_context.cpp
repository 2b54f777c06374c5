// Server TLS context: settings, loading, ALPN and the swap on reload; see tls_context.hpp.
#include "relay/tls_context.hpp"

#include "relay/self_signed.hpp"

#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

namespace hallpass::relay {
namespace {

namespace ssl = boost::asio::ssl;

// Mozilla "intermediate" (server-side TLS guidelines, version 5.7).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:prime256v1:secp384r1";

// ALPN names we answer, best first: "stun.turn" (RFC 7443 §4.2), then "http/1.1" because
// the same port answers HTTPS health checks.
constexpr std::array<std::string_view, 2> kAlpnPreference = {"stun.turn", "http/1.1"};

[[noreturn]] void fail(const char* key, const std::string& path, const std::string& reason) {
    throw std::runtime_error(std::string(key) + ": " + path + ": " + reason);
}

// The first (most specific) entry of this thread's OpenSSL error queue; clears the queue.
unsigned long take_openssl_error() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    return code;
}

std::string reason_text(unsigned long code) {
    const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    return reason != nullptr ? reason : "OpenSSL error";
}

std::string openssl_reason() {
    return reason_text(take_openssl_error());
}

// Checked first so that a missing or unreadable file says so in words an operator knows,
// rather than OpenSSL's "system lib".
void require_readable(const char* key, const std::string& path) {
    if (::access(path.c_str(), R_OK) != 0) fail(key, path, std::system_category().message(errno));
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(key, path, "is a directory");
}

// A daemon must never stop at start or on SIGHUP to ask for a pass phrase on a terminal,
// which OpenSSL's default callback does for an encrypted key.
int no_passphrase(char*, int, int, void*) {
    return 0;
}

bool is_missing(const std::string& path) {
    std::error_code ec;
    return std::filesystem::status(path, ec).type() == std::filesystem::file_type::not_found;
}

// Where `id` sits in the client's list (RFC 7301 §3.1: length-prefixed names), or null.
const unsigned char* find_protocol(const unsigned char* in, unsigned int size,
                                   std::string_view id) {
    for (unsigned int i = 0; i < size; i += 1u + in[i]) {
        const unsigned int length = in[i];
        if (length == 0 || i + 1u + length > size) return nullptr;  // malformed list
        const auto* name = reinterpret_cast<const char*>(in + i + 1);
        if (std::string_view(name, length) == id) return in + i + 1;
    }
    return nullptr;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_size, const unsigned char* in,
                unsigned int in_size, void*) {
    for (const std::string_view id : kAlpnPreference) {
        if (const unsigned char* found = find_protocol(in, in_size, id)) {
            *out = found;  // must point into `in`, which outlives the callback
            *out_size = static_cast<unsigned char>(id.size());
            return SSL_TLSEXT_ERR_OK;
        }
    }
    // RFC 7301 §3.2 would answer no_application_protocol; TURN clients offering other
    // names (or none, which never reaches here) still get TURN, as over plain TCP.
    return SSL_TLSEXT_ERR_NOACK;
}

void require(bool ok, const char* what) {
    if (!ok)
        throw std::runtime_error(std::string("tls: cannot set ") + what + ": " + openssl_reason());
}

void apply_settings(SSL_CTX* ctx) {
    require(SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1, "the minimum version");
    require(SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) == 1, "the TLS 1.2 ciphers");
    require(SSL_CTX_set_ciphersuites(ctx, kTls13Suites) == 1, "the TLS 1.3 cipher suites");
    require(SSL_CTX_set1_groups_list(ctx, kGroups) == 1, "the key exchange groups");
    // Intermediate lets the client choose: it knows whether it has AES hardware.
    SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
    require(SSL_CTX_set_num_tickets(ctx, 0) == 1, "the TLS 1.3 ticket count");
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
    SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
}

void load_files(SSL_CTX* ctx, const TlsFiles& files) {
    require_readable("tls.certificate", files.certificate);
    require_readable("tls.private_key", files.private_key);
    // The chain variant also sends the intermediates that follow the leaf in the file.
    if (SSL_CTX_use_certificate_chain_file(ctx, files.certificate.c_str()) != 1)
        fail("tls.certificate", files.certificate,
             "not a PEM certificate chain (" + openssl_reason() + ")");
    if (SSL_CTX_use_PrivateKey_file(ctx, files.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
        const unsigned long code = take_openssl_error();
        if (ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH)
            fail("tls.private_key", files.private_key, "does not match " + files.certificate);
        fail("tls.private_key", files.private_key,
             "not an unencrypted PEM private key (" + reason_text(code) + ")");
    }
    if (SSL_CTX_check_private_key(ctx) != 1)  // the step above checks too; kept as a guard
        fail("tls.private_key", files.private_key, "does not match " + files.certificate);
}

void append_fingerprint(std::string& out, const X509* leaf) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (X509_digest(leaf, EVP_sha256(), digest.data(), &size) != 1) return;
    for (unsigned int i = 0; i < size; ++i) {
        std::array<char, 4> hex{};
        std::snprintf(hex.data(), hex.size(), i == 0 ? "%02X" : ":%02X", digest[i]);
        out += hex.data();
    }
}

}  // namespace

std::shared_ptr<ssl::context> make_server_context(const TlsFiles& files) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    ERR_clear_error();  // leftovers from earlier calls on this thread would mislead reasons
    apply_settings(context->native_handle());
    load_files(context->native_handle(), files);
    return context;
}

TlsContextStore::TlsContextStore(TlsFiles files) : files_(std::move(files)) {
    // Both missing only: one file present means an operator's set-up, never overwritten.
    if (files_.self_signed && is_missing(files_.certificate) && is_missing(files_.private_key)) {
        try {
            write_self_signed(files_.certificate, files_.private_key);
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(std::string("tls.self_signed: ") + e.what());
        }
        spdlog::warn("made a self-signed certificate at {}; browsers will not trust it",
                     files_.certificate);
    }
    context_ = make_server_context(files_);
}

std::shared_ptr<ssl::context> TlsContextStore::current() const {
    const std::lock_guard lock(mutex_);
    return context_;
}

bool TlsContextStore::reload(const TlsFiles& files, std::string* why) {
    std::shared_ptr<ssl::context> fresh;
    try {
        fresh = make_server_context(files);
    } catch (const std::exception& e) {
        if (why != nullptr) *why = e.what();
        return false;
    }
    install(files, std::move(fresh));
    return true;
}

void TlsContextStore::install(const TlsFiles& files, std::shared_ptr<ssl::context> context) {
    const std::lock_guard lock(mutex_);
    files_ = files;
    context_.swap(context);  // the old one is freed after unlocking, if no connection holds it
}

std::string TlsContextStore::certificate_summary() const {
    const auto context = current();
    const X509* leaf = SSL_CTX_get0_certificate(context->native_handle());
    if (leaf == nullptr) return "no certificate";
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio == nullptr) return "no memory";
    BIO_puts(bio, "subject=");
    X509_NAME_print_ex(bio, X509_get_subject_name(leaf), 0, XN_FLAG_RFC2253);
    BIO_puts(bio, ", notAfter=");
    ASN1_TIME_print_ex(bio, X509_get0_notAfter(leaf), ASN1_DTFLGS_ISO8601);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    out += ", sha256=";
    append_fingerprint(out, leaf);
    return out;
}

}  // namespace hallpass::relay
