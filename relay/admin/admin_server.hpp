// AdminServer: the admin HTTP listener (Boost.Beast). It runs on the control thread's
// io_context — the one that also handles signals — so a reload from the API and one from
// SIGHUP never overlap. It faces whoever can reach admin.listen, so it is bounded: a few
// connections at a time, small requests, and a deadline for each.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "relay/http_types.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::relay {

using AdminHandler = std::function<HttpResponse(const HttpRequest&)>;

struct AdminLimits {
    std::size_t max_connections = 32;  // more are closed at accept
    std::chrono::seconds timeout{10};  // to read a request, and to write its answer
    std::uint32_t header_limit = 8192;
    std::uint64_t body_limit = 65536;
};

class AdminServer {
public:
    // Binds now: a port in use is a start error ("admin.listen: ADDRESS: reason").
    AdminServer(boost::asio::io_context& io, const TransportAddress& listen, AdminHandler handler,
                AdminLimits limits = {});
    ~AdminServer();

    TransportAddress local() const;
    void start();
    // Closes the listener and every open session.
    void stop();
    // Closes the listener and the idle connections; a request being answered gets its
    // answer, then its connection closes (a reload that moves admin.listen may have come
    // through this very listener). Kept-alive clients must come to the new address.
    void stop_accepting();
    std::size_t open_sessions() const;

    struct Shared;  // with the sessions (admin_server.cpp)

private:
    void accept();

    boost::asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<Shared> shared_;
};

}  // namespace hallpass::relay
