// ProbeLink: one connection of `hallpass probe` to a TURN server — a UDP socket, a TCP
// connection, or TLS over TCP (certificate verified against the system's trust store or a
// given CA file, SNI and ALPN set) — optionally through an HTTP CONNECT proxy, as many
// schools force web traffic through one. Blocking calls bounded by timeouts: a command-line
// check does one thing at a time. Over streams, receive() returns whole STUN or ChannelData
// messages (turn/stream_framer.hpp).
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
#include "turn/stream_framer.hpp"

namespace hallpass::relay::probe {

enum class LinkKind { udp, tcp, tls };

struct ProxyAddress {
    std::string host;
    std::uint16_t port = 0;
};

// "http://host:port", "host:port" or "http://[v6]:port/"; nullopt otherwise (https:// proxies
// are not supported: the TLS inside the tunnel is the TURN server's).
std::optional<ProxyAddress> parse_proxy(std::string_view text);

struct LinkOptions {
    LinkKind kind = LinkKind::udp;
    std::string host;  // a name or an IP literal
    std::uint16_t port = 0;
    std::optional<ProxyAddress> proxy;  // tcp and tls only
    std::vector<std::string> alpn;      // tls: offered protocols
    std::string ca_file;                // tls: trust this CA file instead of the system's
    std::chrono::milliseconds timeout{5000};
};

class ProbeLink {
public:
    // The link, or why it could not be made ("connection refused", "proxy answered 403",
    // "certificate verify failed: ...").
    struct Opened {
        std::unique_ptr<ProbeLink> link;
        std::string error;
    };
    static Opened open(const LinkOptions& options);
    ~ProbeLink();
    ProbeLink(const ProbeLink&) = delete;
    ProbeLink& operator=(const ProbeLink&) = delete;

    // Queues the bytes and writes what the socket takes. `wait`: keep writing until all of
    // it is out (up to 5 s) — for requests; else return at once — for media, which must
    // never stall the loop that also reads (false: dropped, over 1 MiB queued).
    bool send(std::span<const std::uint8_t> bytes, bool wait = true);
    // Writes what is queued without waiting; true when nothing is left.
    bool flush();
    // The next datagram, or over a stream the next whole message; nullopt on timeout or close.
    std::optional<std::vector<std::uint8_t>> receive(std::chrono::milliseconds timeout);
    // Raw bytes of a stream until it closes or `timeout` passes (for an HTTP answer).
    std::string read_all(std::chrono::milliseconds timeout);

    int fd() const { return fd_; }
    bool stream() const { return kind_ != LinkKind::udp; }
    TransportAddress local() const { return local_; }
    std::string negotiated_alpn() const;

private:
    ProbeLink() = default;
    long read_some(std::uint8_t* into, std::size_t n, std::chrono::milliseconds timeout);
    // Writes some of pending_; false on a failed connection.
    bool write_pending();

    LinkKind kind_ = LinkKind::udp;
    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    TransportAddress local_;
    std::unique_ptr<turn::StreamFramer> framer_;
    std::vector<std::uint8_t> pending_;  // streams: bytes not yet taken by the socket
    bool failed_ = false;
    short write_waits_for_ = 0x004;  // POLLOUT, or POLLIN when OpenSSL must read to write
};

// The first address `host` resolves to (an IPv4 one when there is one); nullopt if none.
std::optional<IpAddress> resolve(const std::string& host);

}  // namespace hallpass::relay::probe
