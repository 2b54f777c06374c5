#include "bench/tls_client.hpp"

#include <stdexcept>

namespace hallpass::bench {

TlsContext make_tls_client_context() {
    TlsContext ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) throw std::runtime_error("SSL_CTX_new failed");
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    static const unsigned char alpn[] = {9, 's', 't', 'u', 'n', '.', 't', 'u', 'r', 'n'};
    SSL_CTX_set_alpn_protos(ctx.get(), alpn, sizeof alpn);
    return ctx;
}

}  // namespace hallpass::bench
