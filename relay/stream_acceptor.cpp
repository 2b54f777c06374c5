#include "relay/stream_acceptor.hpp"

#include <unistd.h>

#include <stdexcept>

#include "relay/socket_address.hpp"

namespace hallpass::relay {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

tcp::endpoint to_endpoint(const TransportAddress& a) {
    if (a.ip.is_v4()) {
        asio::ip::address_v4::bytes_type b;
        std::copy_n(a.ip.bytes.begin(), 4, b.begin());
        return {asio::ip::address_v4(b), a.port};
    }
    asio::ip::address_v6::bytes_type b;
    std::copy_n(a.ip.bytes.begin(), 16, b.begin());
    return {asio::ip::address_v6(b), a.port};
}

std::string bind_error(const TransportAddress& a, const char* kind, const boost::system::error_code& ec) {
    std::string why = ec.message();
    if (ec == asio::error::access_denied)
        why += " (ports below 1024 need root or CAP_NET_BIND_SERVICE: run as root with `user:` "
               "set to drop privileges after binding, or `setcap cap_net_bind_service=+ep` on "
               "the hallpass binary; a reload that adds one after root was dropped needs "
               "CAP_NET_BIND_SERVICE, which the systemd unit grants)";
    return std::string("cannot listen on ") + kind + " " + a.to_string() + ": " + why;
}

}  // namespace

TransportAddress from_endpoint(const tcp::endpoint& e) {
    TransportAddress a;
    if (e.address().is_v4()) {
        const auto b = e.address().to_v4().to_bytes();
        a.ip.family = AddressFamily::ipv4;
        std::copy(b.begin(), b.end(), a.ip.bytes.begin());
    } else {
        a.ip = IpAddress::v6(e.address().to_v6().to_bytes()).unmapped();
    }
    a.port = e.port();
    return a;
}

ListeningSocket& ListeningSocket::operator=(ListeningSocket&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
}

ListeningSocket::~ListeningSocket() {
    if (fd_ >= 0) ::close(fd_);
}

ListeningSocket listen_stream(const TransportAddress& address, const char* kind) {
    asio::io_context io;  // only to open and bind; the socket leaves it before it is used
    tcp::acceptor acceptor(io);
    const auto endpoint = to_endpoint(address);
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) {
        const int on = 1;
        ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
        if (endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
    }
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error(bind_error(address, kind, ec));
    return ListeningSocket(acceptor.release());
}

StreamAcceptor::StreamAcceptor(asio::io_context& io, ListeningSocket socket, const TransportAddress& address)
    : acceptor_(io, address.ip.is_v4() ? tcp::v4() : tcp::v6(), socket.release()), backoff_(io), address_(address) {}

StreamAcceptor::~StreamAcceptor() { *open_ = false; }

void StreamAcceptor::close() {
    *open_ = false;
    boost::system::error_code ignored;
    backoff_.cancel();
    acceptor_.close(ignored);
}

void StreamAcceptor::start(OnAccept on_accept) {
    on_accept_ = std::move(on_accept);
    accept_next();
}

void StreamAcceptor::accept_next() {
    acceptor_.async_accept([this, open = open_](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !*open) return;
        if (!ec) {
            on_accept_(std::move(socket));
            return accept_next();
        }
        // Out of descriptors, most likely: pause rather than spin on the same error.
        backoff_.expires_after(std::chrono::milliseconds(100));
        backoff_.async_wait([this, open = open_](boost::system::error_code e) {
            if (!e && *open) accept_next();
        });
    });
}

}  // namespace hallpass::relay
