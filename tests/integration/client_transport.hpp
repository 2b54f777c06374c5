// How a test's TURN client reaches the server: a UDP socket, a TCP connection or a TLS
// connection. Stream transports frame what they read with the server's own StreamFramer.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stun/transport_address.hpp"

namespace hallpass::testing {

class ClientTransport {
public:
    virtual ~ClientTransport() = default;
    virtual void send(std::span<const std::uint8_t> bytes) = 0;
    // The next datagram or stream frame; nullopt on timeout or a closed connection.
    virtual std::optional<std::vector<std::uint8_t>> receive(
        std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) = 0;
    virtual TransportAddress local_address() const = 0;
};

std::unique_ptr<ClientTransport> udp_transport(const TransportAddress& server);

struct StreamOptions {
    bool tls = false;
    std::vector<std::string> alpn;  // offered protocols, e.g. {"stun.turn"}
    std::string prefix;             // raw bytes sent first (a PROXY header)
    std::optional<IpAddress> source = std::nullopt;  // the address to connect from (127.0.0.0/8 holds many)
};

class StreamTransport : public ClientTransport {
public:
    StreamTransport(const TransportAddress& server, const StreamOptions& options);
    ~StreamTransport() override;
    void send(std::span<const std::uint8_t> bytes) override;
    std::optional<std::vector<std::uint8_t>> receive(std::chrono::milliseconds timeout) override;
    TransportAddress local_address() const override { return local_; }

    // Sends all of `bytes` unless the socket stays full for `timeout` (the peer stopped
    // reading); false then.
    bool send_for(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout);

    bool connected() const { return fd_ >= 0 && (!tls_ || ssl_ != nullptr); }
    std::string negotiated_alpn() const;
    std::string peer_certificate_sha256() const;  // hex fingerprint of the server's leaf
    // Reads raw bytes (for HTTP answers); empty when the server closed.
    std::string read_raw(std::chrono::milliseconds timeout);
    // True once the server has closed the connection (a read sees end of stream).
    bool closed_by_server(std::chrono::milliseconds timeout);

private:
    long read_some(std::uint8_t* into, std::size_t n, std::chrono::milliseconds timeout);

    int fd_ = -1;
    bool tls_ = false;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    TransportAddress local_;
    std::unique_ptr<class FrameBuffer> frames_;
};

}  // namespace hallpass::testing
