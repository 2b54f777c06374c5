#include "tests/integration/client_transport.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "relay/socket_address.hpp"
#include "tests/integration/udp_endpoint.hpp"
#include "turn/stream_framer.hpp"

namespace hallpass::testing {

class FrameBuffer : public turn::StreamFramer {};

namespace {

class UdpTransport final : public ClientTransport {
public:
    explicit UdpTransport(const TransportAddress& server) : server_(server) {}
    void send(std::span<const std::uint8_t> bytes) override { socket_.send_to(bytes, server_); }
    std::optional<std::vector<std::uint8_t>> receive(std::chrono::milliseconds timeout) override {
        auto d = socket_.receive(timeout);
        if (!d) return std::nullopt;
        return std::move(d->bytes);
    }
    TransportAddress local_address() const override { return socket_.address(); }

private:
    TransportAddress server_;
    UdpEndpoint socket_;
};

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

std::vector<unsigned char> alpn_wire(const std::vector<std::string>& protocols) {
    std::vector<unsigned char> out;
    for (const auto& p : protocols) {
        out.push_back(static_cast<unsigned char>(p.size()));
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

}  // namespace

std::unique_ptr<ClientTransport> udp_transport(const TransportAddress& server) {
    return std::make_unique<UdpTransport>(server);
}

StreamTransport::StreamTransport(const TransportAddress& server, const StreamOptions& options)
    : tls_(options.tls), frames_(std::make_unique<FrameBuffer>()) {
    fd_ = ::socket(relay::socket_family(server.ip.family), SOCK_STREAM | SOCK_CLOEXEC, 0);
    const auto to = relay::to_socket_address(server);
    const auto from = relay::to_socket_address({options.source.value_or(IpAddress{server.ip.family, {}}), 0});
    if ((options.source && ::bind(fd_, from.get(), from.length) != 0) || ::connect(fd_, to.get(), to.length) != 0) {
        ::close(fd_);
        fd_ = -1;
        return;
    }
    sockaddr_storage me{};
    socklen_t len = sizeof me;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&me), &len);
    local_ = relay::from_socket_address(me);
    if (!options.prefix.empty()) ::send(fd_, options.prefix.data(), options.prefix.size(), MSG_NOSIGNAL);
    if (!tls_) return;
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);  // the tests' servers are self-signed
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    if (!options.alpn.empty()) {
        const auto wire = alpn_wire(options.alpn);
        SSL_set_alpn_protos(ssl_, wire.data(), static_cast<unsigned>(wire.size()));
    }
    if (SSL_connect(ssl_) != 1) {
        SSL_free(ssl_);
        ssl_ = nullptr;
    }
}

StreamTransport::~StreamTransport() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
}

void StreamTransport::send(std::span<const std::uint8_t> bytes) {
    if (tls_) {
        if (ssl_) SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
        return;
    }
    ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

bool StreamTransport::send_for(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
        const auto n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

long StreamTransport::read_some(std::uint8_t* into, std::size_t n, std::chrono::milliseconds timeout) {
    if (tls_ && ssl_ && SSL_pending(ssl_) > 0) return SSL_read(ssl_, into, static_cast<int>(n));
    if (!wait_readable(fd_, timeout)) return -1;
    if (tls_) return ssl_ ? SSL_read(ssl_, into, static_cast<int>(n)) : 0;
    return ::recv(fd_, into, n, 0);
}

std::optional<std::vector<std::uint8_t>> StreamTransport::receive(std::chrono::milliseconds timeout) {
    for (;;) {
        const auto frame = frames_->next();
        if (frame.status == turn::StreamFramer::Frame::Status::message)
            return std::vector<std::uint8_t>(frame.bytes.begin(), frame.bytes.end());
        if (frame.status == turn::StreamFramer::Frame::Status::invalid) return std::nullopt;
        auto room = frames_->writable();
        const long n = read_some(room.data(), room.size(), timeout);
        if (n <= 0) return std::nullopt;
        frames_->commit(static_cast<std::size_t>(n));
    }
}

std::string StreamTransport::read_raw(std::chrono::milliseconds timeout) {
    std::string out;
    std::uint8_t buf[4096];
    for (;;) {
        const long n = read_some(buf, sizeof buf, timeout);
        if (n <= 0) return out;
        out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
    }
}

bool StreamTransport::closed_by_server(std::chrono::milliseconds timeout) {
    std::uint8_t buf[4096];
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!wait_readable(fd_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())))
            return false;
        const long n = tls_ && ssl_ ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return true;
    }
    return false;
}

std::string StreamTransport::negotiated_alpn() const {
    if (!ssl_) return {};
    const unsigned char* data = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl_, &data, &len);
    return std::string(reinterpret_cast<const char*>(data), len);
}

std::string StreamTransport::peer_certificate_sha256() const {
    if (!ssl_) return {};
    X509* cert = SSL_get1_peer_certificate(ssl_);
    if (!cert) return {};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    X509_digest(cert, EVP_sha256(), md, &n);
    X509_free(cert);
    static constexpr char d[] = "0123456789abcdef";
    std::string hex;
    for (unsigned i = 0; i < n; ++i) hex += d[md[i] >> 4], hex += d[md[i] & 0xF];
    return hex;
}

}  // namespace hallpass::testing
