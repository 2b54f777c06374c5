// The server TLS context for TURN over TLS (RFC 8656 §3.1, ALPN "stun.turn" from RFC 7443),
// held so that a certificate renewal (SIGHUP) swaps it without disturbing open connections.
//
// Settings follow Mozilla's "intermediate" profile: TLS 1.2 and 1.3 only, ECDHE with AEAD
// ciphers, the client's cipher order, no compression, no renegotiation. Session resumption
// is off (no tickets, no cache): TURN connections last a lesson, so resumption saves one
// handshake an hour, and without tickets there is no ticket key to rotate or to leak.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <string>

namespace hallpass::relay {

struct TlsFiles {
    std::string certificate;   // PEM: the leaf first, then intermediates
    std::string private_key;   // PEM
    bool self_signed = false;  // make both files when both are missing
};

// Holds the current server TLS context. New connections take current(); existing
// connections keep the shared_ptr they took, so a reload never disturbs them.
class TlsContextStore {
public:
    // Loads the certificate chain and private key. When both files are missing and
    // files.self_signed is set, makes them first (write_self_signed) and warns. Throws
    // std::runtime_error "tls.certificate: PATH: reason" or "tls.private_key: PATH: reason".
    explicit TlsContextStore(TlsFiles files);

    // Thread-safe; called once per accepted connection, never per packet.
    std::shared_ptr<boost::asio::ssl::context> current() const;

    // Reads `files` (a reload may name new paths). On failure keeps the old context and
    // files and returns false with the reason in *why (when why is not null). Never writes
    // files, even with self_signed.
    bool reload(const TlsFiles& files, std::string* why);
    // Makes `context`, built from `files` beforehand (make_server_context), the current one.
    void install(const TlsFiles& files, std::shared_ptr<boost::asio::ssl::context> context);

    // "subject=..., notAfter=..., sha256=AA:BB:..." of the current leaf, for the start-up log.
    std::string certificate_summary() const;

private:
    TlsFiles files_;
    mutable std::mutex mutex_;  // guards context_ only; building a context happens outside it
    std::shared_ptr<boost::asio::ssl::context> context_;
};

// The server context with the settings above, loaded from `files` (no self-signed step).
// Throws as TlsContextStore's constructor does. Exposed for tests and tools.
std::shared_ptr<boost::asio::ssl::context> make_server_context(const TlsFiles& files);

}  // namespace hallpass::relay
