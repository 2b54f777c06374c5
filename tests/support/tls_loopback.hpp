// What the stream tests need to talk TLS to the relay over a real loopback connection: a
// server context on a fresh self-signed pair and an OpenSSL client context, and a
// connected TCP pair whose client end is a plain non-blocking descriptor (the tests drive
// the client with OpenSSL or read/write directly, not with Asio).
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <memory>
#include <string>

namespace hallpass::testing {

class SelfSignedTls {
public:
    // `name` keeps the key files of concurrently running test binaries apart.
    explicit SelfSignedTls(const std::string& name);
    ~SelfSignedTls();
    SelfSignedTls(const SelfSignedTls&) = delete;
    SelfSignedTls& operator=(const SelfSignedTls&) = delete;

    const std::shared_ptr<boost::asio::ssl::context>& server() const { return server_; }
    SSL_CTX* client() const { return client_; }

private:
    std::filesystem::path dir_;
    std::shared_ptr<boost::asio::ssl::context> server_;
    SSL_CTX* client_ = nullptr;
};

struct LoopbackPair {
    boost::asio::ip::tcp::socket server;
    int client_fd;  // non-blocking; the caller closes it
};

LoopbackPair connect_loopback(boost::asio::io_context& io);

}  // namespace hallpass::testing
