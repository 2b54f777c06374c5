// The epoll engine: Boost.Asio's reactor tells when a socket is readable, and the worker
// drains it with recvmmsg, hands each datagram to the TURN core and sends the results with
// sendmmsg. One io_context per thread; nothing here is shared with other workers except
// through SharedState on allocate and free.
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "relay/allocation_log.hpp"
#include "relay/datagram_batch.hpp"
#include "relay/shared_state.hpp"
#include "relay/stream_acceptor.hpp"
#include "relay/stream_connection.hpp"
#include "relay/tls_context.hpp"
#include "relay/socket_address.hpp"
#include "relay/udp_socket.hpp"
#include "relay/worker.hpp"
#include "turn/turn_server.hpp"

namespace hallpass::relay {
namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;

// How many attempts to find a relay port that no other process holds.
constexpr int relay_bind_attempts = 64;

struct Listener {
    udp::socket socket;
    TransportAddress local;
};

struct StreamListener {
    std::unique_ptr<StreamAcceptor> acceptor;
    bool tls = false;
    StreamSettings settings;
};

StreamSettings stream_settings(const config::Config& c, bool proxy_protocol) {
    StreamSettings s;
    s.proxy_protocol = proxy_protocol;
    s.handshake_timeout = std::chrono::seconds(c.limits.tls_handshake_timeout);
    s.idle_timeout = std::chrono::seconds(c.limits.idle_timeout);
    s.queue_bytes = c.limits.stream_queue_bytes;
    return s;
}

struct RelaySocket {
    udp::socket socket;
    alloc::AllocationId id;
    TransportAddress bound;
};

udp::socket adopt(asio::io_context& io, UdpSocket s, AddressFamily family) {
    return udp::socket(io, family == AddressFamily::ipv4 ? udp::v4() : udp::v6(), s.release());
}

turn::Instant now() {
    using namespace std::chrono;
    return {duration_cast<milliseconds>(steady_clock::now().time_since_epoch()),
            duration_cast<seconds>(system_clock::now().time_since_epoch()).count()};
}

class AsioWorker final : public Worker, public turn::AllocationHost, public StreamOwner {
public:
    AsioWorker(unsigned index, SharedState& shared)
        : index_(index),
          shared_(shared),
          server_(shared.server_options(), shared.credentials(), shared.nonces(), shared.peers(), *this),
          tick_(io_) {
        for (const auto& address : shared.config().listen.udp)
            listeners_.push_back(std::make_shared<Listener>(
                Listener{adopt(io_, bind_listener(address), address.ip.family), address}));
        const auto& c = shared.config();
        for (const auto& l : c.listen.tcp)
            stream_listeners_.push_back({std::make_unique<StreamAcceptor>(io_, l.address, "tcp"), false,
                                         stream_settings(c, l.proxy_protocol)});
        for (const auto& l : c.listen.tls)
            stream_listeners_.push_back({std::make_unique<StreamAcceptor>(io_, l.address, "tls"), true,
                                         stream_settings(c, l.proxy_protocol)});
    }

    void run() override {
        for (auto& l : listeners_) arm_listener(l);
        for (auto& l : stream_listeners_)
            l.acceptor->start([this, &l](boost::asio::ip::tcp::socket s) { on_accept(l, std::move(s)); });
        arm_tick();
        io_.run();
    }

    void stop() override {
        asio::post(io_, [this] {
            server_.end_all(now());
            io_.stop();
        });
    }

    std::string_view engine_name() const override { return "epoll"; }

    // AllocationHost
    alloc::QuotaLedger::Verdict reserve_quota(std::string_view user) override {
        return shared_.reserve_quota(user);
    }
    void release_quota(std::string_view user) override { shared_.release_quota(user); }
    bool supports(AddressFamily family) const override { return shared_.supports(family); }
    std::optional<turn::RelayEndpoint> open_relay(alloc::AllocationId id,
                                                  const turn::RelayRequest& request,
                                                  turn::Instant now) override;
    void close_relay(alloc::AllocationId id, const TransportAddress& bound) override;
    void allocation_created(const alloc::Allocation& a, turn::Instant) override {
        log_allocation_created(index_, a);
    }
    void allocation_ended(const alloc::Allocation& a, turn::EndReason why, turn::Instant t) override {
        log_allocation_ended(index_, a, why, t.monotonic);
    }

    // StreamOwner
    bool admit(StreamConnectionBase& c) override;
    void on_stream_message(StreamConnectionBase& c, std::span<const std::uint8_t> message) override;
    void on_stream_closed(StreamConnectionBase& c) override;
    bool has_allocation(const alloc::FiveTuple& five_tuple) override {
        return server_.has_allocation(five_tuple);
    }

private:
    void on_accept(StreamListener& l, boost::asio::ip::tcp::socket socket);

    void arm_listener(const std::shared_ptr<Listener>& l) {
        l->socket.async_wait(udp::socket::wait_read, [this, l](boost::system::error_code ec) {
            if (ec) return;
            drain_listener(*l);
            arm_listener(l);
        });
    }

    void arm_relay(const std::shared_ptr<RelaySocket>& r) {
        r->socket.async_wait(udp::socket::wait_read, [this, r](boost::system::error_code ec) {
            if (ec || !r->socket.is_open()) return;
            drain_relay(*r);
            if (r->socket.is_open()) arm_relay(r);
        });
    }

    void arm_tick() {
        tick_.expires_after(std::chrono::seconds(1));
        tick_.async_wait([this](boost::system::error_code ec) {
            if (ec) return;
            const turn::Instant t = now();
            server_.on_tick(t);
            shared_.expire_reservations(t.monotonic);
            arm_tick();
        });
    }

    // Binds a relay socket for `id` on `address`; the errno on failure.
    int bind_endpoint(alloc::AllocationId id, const TransportAddress& address);
    void drain_listener(Listener& l);
    void drain_relay(RelaySocket& r);
    void handle_client_datagram(Listener& l, std::size_t i, turn::Instant t);
    Listener* listener_for(const TransportAddress& local);

    unsigned index_;
    SharedState& shared_;
    asio::io_context io_{1};
    turn::TurnServer server_;
    asio::steady_timer tick_;
    std::vector<std::shared_ptr<Listener>> listeners_;
    std::vector<std::shared_ptr<RelaySocket>> relays_;  // by allocation slot
    std::vector<StreamListener> stream_listeners_;
    boost::unordered_flat_map<alloc::FiveTuple, std::shared_ptr<StreamConnectionBase>, alloc::FiveTupleHash>
        streams_;
    ReceiveBatch receive_;
    SendBatch send_;
    std::array<std::uint8_t, 2048> reply_{};
};

void AsioWorker::drain_listener(Listener& l) {
    // A bounded number of batches per wake-up keeps one busy socket from starving others.
    for (int round = 0; round < 8; ++round) {
        const std::size_t n = receive_.receive(l.socket.native_handle());
        if (n == 0) break;
        const turn::Instant t = now();
        for (std::size_t i = 0; i < n; ++i) handle_client_datagram(l, i, t);
        send_.flush();
        if (n < batch_size) break;
    }
}

void AsioWorker::handle_client_datagram(Listener& l, std::size_t i, turn::Instant t) {
    if (receive_.truncated(i)) return;
    const alloc::FiveTuple from{from_socket_address(receive_.sender(i)), l.local, alloc::Transport::udp};
    auto bytes = receive_.storage(i).subspan(buffer_headroom, receive_.length(i));
    // A request may end an allocation and close its relay socket: nothing queued for that
    // socket may be left to send after it.
    if (!bytes.empty() && (bytes[0] & 0xC0) != 0x40) send_.flush();
    const auto action = server_.on_client_packet(from, bytes, t, reply_);
    if (action.kind == turn::ClientAction::Kind::reply) {
        send_.flush();  // the reply buffer is reused by the next request
        send_.add(l.socket.native_handle(), action.bytes, from.client);
        send_.flush();
    } else if (action.kind == turn::ClientAction::Kind::to_peer) {
        const auto& relay = relays_[action.allocation.index];
        if (relay) send_.add(relay->socket.native_handle(), action.bytes, action.peer);
    }
}

Listener* AsioWorker::listener_for(const TransportAddress& local) {
    for (auto& l : listeners_)
        if (l->local == local) return l.get();
    return nullptr;
}

void AsioWorker::drain_relay(RelaySocket& r) {
    for (int round = 0; round < 8; ++round) {
        const std::size_t n = receive_.receive(r.socket.native_handle());
        if (n == 0) break;
        const turn::Instant t = now();
        for (std::size_t i = 0; i < n; ++i) {
            if (receive_.truncated(i)) continue;
            const turn::PeerPacket packet{receive_.storage(i), buffer_headroom, receive_.length(i)};
            const auto action = server_.on_peer_packet(r.id, from_socket_address(receive_.sender(i)), packet, t);
            if (!action.deliver) continue;
            if (action.client->transport != alloc::Transport::udp) {
                if (auto it = streams_.find(*action.client); it != streams_.end())
                    it->second->send(action.bytes, true);
            } else if (Listener* l = listener_for(action.client->server)) {
                send_.add(l->socket.native_handle(), action.bytes, action.client->client);
            }
        }
        send_.flush();
        if (n < batch_size) break;
    }
}

void AsioWorker::on_accept(StreamListener& l, boost::asio::ip::tcp::socket socket) {
    if (!shared_.open_connection()) {
        boost::system::error_code ignored;
        socket.close(ignored);  // limits.connections_total reached
        return;
    }
    auto c = l.tls ? make_tls_connection(std::move(socket), shared_.tls()->current(), l.acceptor->address(),
                                         l.settings, *this)
                   : make_tcp_connection(std::move(socket), l.acceptor->address(), l.settings, *this);
    c->start();
}

bool AsioWorker::admit(StreamConnectionBase& c) {
    const auto& tuple = c.five_tuple();
    if (streams_.contains(tuple) || !shared_.admit_client_ip(tuple.client.ip)) return false;
    streams_.emplace(tuple, c.shared_from_this());
    return true;
}

void AsioWorker::on_stream_message(StreamConnectionBase& c, std::span<const std::uint8_t> message) {
    const auto action = server_.on_client_packet(c.five_tuple(), message, now(), reply_);
    if (action.kind == turn::ClientAction::Kind::reply) {
        c.send(action.bytes, false);
    } else if (action.kind == turn::ClientAction::Kind::to_peer) {
        const auto& relay = relays_[action.allocation.index];
        if (!relay) return;
        // The payload lies in the connection's framer, which moves on with the next frame.
        send_.add(relay->socket.native_handle(), action.bytes, action.peer);
        send_.flush();
    }
}

void AsioWorker::on_stream_closed(StreamConnectionBase& c) {
    shared_.close_connection();
    if (!c.admitted()) return;
    const auto tuple = c.five_tuple();
    shared_.release_client_ip(tuple.client.ip);
    if (c.dropped() > 0)
        spdlog::info("stream closed client={} dropped_media_datagrams={}", tuple.client.to_string(), c.dropped());
    server_.on_connection_closed(tuple, now());
    streams_.erase(tuple);
}

int AsioWorker::bind_endpoint(alloc::AllocationId id, const TransportAddress& address) {
    auto bound = bind_relay(address);
    if (bound.error != 0) return bound.error;
    auto relay = std::make_shared<RelaySocket>(
        RelaySocket{adopt(io_, std::move(bound.socket), address.ip.family), id, address});
    if (relays_.size() <= id.index) relays_.resize(id.index + 1);
    relays_[id.index] = relay;
    arm_relay(relay);
    return 0;
}

std::optional<turn::RelayEndpoint> AsioWorker::open_relay(alloc::AllocationId id,
                                                          const turn::RelayRequest& request,
                                                          turn::Instant now) {
    if (request.token) {
        auto address = shared_.take_reservation(*request.token, now.monotonic);
        if (!address) return std::nullopt;
        if (bind_endpoint(id, *address) != 0) {
            shared_.release(*address);
            return std::nullopt;
        }
        return turn::RelayEndpoint{*address, shared_.advertised(*address), std::nullopt};
    }
    // Ports another process holds (a media server beside us) are skipped: they stay taken
    // in the pool while we look further, and go back afterwards.
    std::vector<TransportAddress> held_elsewhere;
    std::optional<turn::RelayEndpoint> result;
    for (int attempt = 0; attempt < relay_bind_attempts && !result; ++attempt) {
        std::optional<TransportAddress> address, next;
        if (request.reserve_next) {
            auto pair = shared_.acquire_even_pair(request.family);
            if (pair) address = pair->first, next = pair->second;
        } else {
            address = shared_.acquire(request.family, request.even_port);
        }
        if (!address) break;
        const int error = bind_endpoint(id, *address);
        if (error == EADDRINUSE) {
            held_elsewhere.push_back(*address);
            if (next) shared_.release(*next);
            continue;
        }
        if (error != 0) {
            shared_.release(*address);
            if (next) shared_.release(*next);
            break;
        }
        result = turn::RelayEndpoint{*address, shared_.advertised(*address), std::nullopt};
        if (next) result->reservation = shared_.reserve(*next, now.monotonic);
    }
    for (const auto& a : held_elsewhere) shared_.release(a);
    return result;
}

void AsioWorker::close_relay(alloc::AllocationId id, const TransportAddress& bound) {
    if (id.index < relays_.size() && relays_[id.index]) {
        boost::system::error_code ignored;
        relays_[id.index]->socket.close(ignored);
        relays_[id.index].reset();
    }
    shared_.release(bound);
}

}  // namespace

std::unique_ptr<Worker> make_asio_worker(unsigned index, SharedState& shared) {
    return std::make_unique<AsioWorker>(index, shared);
}

}  // namespace hallpass::relay
