// StreamAcceptor: a worker's TCP listening socket on a shared address (SO_REUSEPORT, so the
// kernel spreads connections over the workers), bound at start so that a bind failure
// stops the start with its reason.
#pragma once

#include <boost/asio.hpp>
#include <functional>

#include "stun/transport_address.hpp"

namespace hallpass::relay {

// The client's address of an accepted connection (an IPv4-mapped peer as IPv4).
TransportAddress from_endpoint(const boost::asio::ip::tcp::endpoint& e);

class StreamAcceptor {
public:
    using OnAccept = std::function<void(boost::asio::ip::tcp::socket)>;

    // `kind` names the listener in errors: "tcp" or "tls".
    StreamAcceptor(boost::asio::io_context& io, const TransportAddress& address, const char* kind);
    void start(OnAccept on_accept);
    const TransportAddress& address() const { return address_; }

private:
    void accept_next();

    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer backoff_;
    TransportAddress address_;
    OnAccept on_accept_;
};

}  // namespace hallpass::relay
