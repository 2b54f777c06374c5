// StreamAcceptor: a worker's TCP listening socket on a shared address (SO_REUSEPORT, so the
// kernel spreads connections over the workers), bound before the worker gets it so that a
// bind failure stops the start (or refuses the reload) with its reason.
#pragma once

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <utility>

#include "stun/transport_address.hpp"

namespace hallpass::relay {

// The client's address of an accepted connection (an IPv4-mapped peer as IPv4).
TransportAddress from_endpoint(const boost::asio::ip::tcp::endpoint& e);

// A TCP socket bound and listening, not yet given to an io_context: bound wherever a
// failure must be known first (a reload binds on the control thread, then hands one to each
// worker).
class ListeningSocket {
public:
    ListeningSocket() = default;
    explicit ListeningSocket(int fd) : fd_(fd) {}
    ListeningSocket(ListeningSocket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    ListeningSocket& operator=(ListeningSocket&& o) noexcept;
    ListeningSocket(const ListeningSocket&) = delete;
    ListeningSocket& operator=(const ListeningSocket&) = delete;
    ~ListeningSocket();
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_ = -1;
};

// Binds with SO_REUSEPORT, as every worker does on the same address; throws
// std::runtime_error naming `kind` ("tcp" or "tls") and the address when it cannot.
ListeningSocket listen_stream(const TransportAddress& address, const char* kind);

class StreamAcceptor {
public:
    using OnAccept = std::function<void(boost::asio::ip::tcp::socket)>;

    StreamAcceptor(boost::asio::io_context& io, ListeningSocket socket, const TransportAddress& address);
    ~StreamAcceptor();
    StreamAcceptor(const StreamAcceptor&) = delete;
    StreamAcceptor& operator=(const StreamAcceptor&) = delete;
    void start(OnAccept on_accept);
    // Accepts no more: connections waiting in the backlog are reset, accepted ones go on.
    void close();
    const TransportAddress& address() const { return address_; }

private:
    void accept_next();

    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer backoff_;
    TransportAddress address_;
    OnAccept on_accept_;
    // Handlers check it before touching the acceptor: a backoff that had already expired
    // still runs after close() or destruction.
    std::shared_ptr<bool> open_ = std::make_shared<bool>(true);
};

}  // namespace hallpass::relay
