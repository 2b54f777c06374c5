// The OpenSSL client context for TURN over TLS: ALPN "stun.turn" (RFC 7443), certificate
// not verified (the servers under test run on loopback with self-signed certificates).
// Set up once, in main, before any connection.
#pragma once

#include <openssl/ssl.h>

#include <memory>

namespace hallpass::bench {

struct SslCtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using TlsContext = std::unique_ptr<SSL_CTX, SslCtxFree>;

// Throws std::runtime_error when OpenSSL cannot make a context.
TlsContext make_tls_client_context();

}  // namespace hallpass::bench
