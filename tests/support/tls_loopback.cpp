#include "tests/support/tls_loopback.hpp"

#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <system_error>

#include "relay/self_signed.hpp"
#include "relay/tls_context.hpp"

namespace hallpass::testing {

SelfSignedTls::SelfSignedTls(const std::string& name)
    : dir_(std::filesystem::temp_directory_path() / ("hallpass-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    const std::string certificate = (dir_ / "cert.pem").string(), key = (dir_ / "key.pem").string();
    relay::write_self_signed(certificate, key);
    server_ = relay::make_server_context({certificate, key});
    client_ = SSL_CTX_new(TLS_client_method());
}

SelfSignedTls::~SelfSignedTls() {
    if (client_) SSL_CTX_free(client_);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

LoopbackPair connect_loopback(boost::asio::io_context& io) {
    using boost::asio::ip::tcp;
    tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket client(io);
    client.connect(acceptor.local_endpoint());
    client.non_blocking(true);
    tcp::socket server = acceptor.accept();
    return {std::move(server), client.release()};
}

}  // namespace hallpass::testing
