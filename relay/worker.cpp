// Worker: one thread's share of the relay (DESIGN.md "Threads and ownership"). It hosts the
// worker's TurnServer, owns its listeners, relay sockets and stream connections, and runs
// them on one io_context; UDP goes through the engine chosen at start (DatagramIo).
#include "relay/worker.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include <openssl/rand.h>

#include "alloc/relay_address_opening.hpp"
#include "config/config_diff.hpp"
#include "relay/allocation_log.hpp"
#include "relay/datagram_io.hpp"
#include "relay/refusal_log.hpp"
#include "relay/request_trace.hpp"
#include "relay/shared_state.hpp"
#include "relay/stream_acceptor.hpp"
#include "relay/stream_connection.hpp"
#include "relay/stream_write_batch.hpp"
#include "relay/tls_context.hpp"
#include "relay/check/turn_port_http.hpp"
#include "relay/udp_socket.hpp"
#include "turn/channel_data.hpp"
#include "turn/turn_server.hpp"

namespace hallpass::relay {
namespace {

namespace asio = boost::asio;

struct UdpListener {
    int fd = -1;  // -1: closed, and the slot free for another
    TransportAddress local;
    // Removed by a reload: it answers only the allocations made through it.
    bool retired = false;
};

// A TCP/TLS listener; a reload may remove it or change what it is.
struct StreamListener {
    std::unique_ptr<StreamAcceptor> acceptor;
    bool tls = false;
    StreamSettings settings;
    alloc::CidrSet trusted;  // with proxy_protocol: who may send the PROXY header
};

// An accepted connection whose first bytes have not come yet, with what its listener was
// when it was accepted.
struct WaitingConnection {
    asio::ip::tcp::socket socket;
    asio::steady_timer deadline;
    ConnectionSlot slot;
    bool tls = false;
    StreamSettings settings;
    TransportAddress local;
};

StreamSettings stream_settings(const config::Config& c, bool proxy_protocol) {
    StreamSettings s;
    s.proxy_protocol = proxy_protocol;
    s.handshake_timeout = std::chrono::seconds(c.limits.tls_handshake_timeout);
    s.idle_timeout = std::chrono::seconds(c.limits.idle_timeout);
    s.queue_bytes = c.limits.stream_queue_bytes;
    return s;
}

class RelayWorker final : public Worker,
                     public turn::AllocationHost,
                     public StreamOwner,
                     public TurnPortBackend,
                     public DatagramReceiver {
public:
    RelayWorker(unsigned index, SharedState& shared, EngineKind engine)
        : index_(index),
          shared_(shared),
          snapshot_(shared.snapshot()),
          server_(snapshot_->server_options(), snapshot_->credentials(), snapshot_->nonces(), snapshot_->peers(),
                  *this),
          tick_(ioc_),
          io_(engine == EngineKind::io_uring ? make_uring_io(ioc_) : make_epoll_io(ioc_)) {
        const auto& c = snapshot_->config();
        for (const auto& address : c.listen.udp) add_udp_listener(address, bind_listener(address));
        for (const auto& l : c.listen.tcp) add_stream_listener(l.address, listen_stream(l.address, "tcp"));
        for (const auto& l : c.listen.tls) add_stream_listener(l.address, listen_stream(l.address, "tls"));
        ListenerSockets none;
        update_stream_listeners(c, none);
    }

    void run() override {
        io_->start(*this);
        running_ = true;
        for (auto& l : stream_listeners_) start_accepting(l);
        arm_tick();
        ioc_.run();
    }

    void stop() override {
        asio::post(ioc_, [this] {
            server_.end_all(instant_now());
            // Closing each connection also returns its place in the shared connection counts.
            std::vector<std::shared_ptr<StreamConnectionBase>> open;
            for (auto& [tuple, c] : streams_) open.push_back(c);
            for (auto& c : open) c->close();
            io_->flush();
            io_->stop();
            ioc_.stop();
        });
    }

    std::string_view engine_name() const override { return io_->name(); }

    std::future<void> adopt(SnapshotPtr snapshot, ListenerSockets added) override {
        auto sockets = std::make_shared<ListenerSockets>(std::move(added));
        auto done = std::make_shared<std::promise<void>>();
        auto switched = done->get_future();
        asio::post(ioc_, [this, snapshot = std::move(snapshot), sockets, done]() mutable {
            switch_to(std::move(snapshot), std::move(*sockets));
            done->set_value();
        });
        return switched;
    }

    void start_draining() override {
        asio::post(ioc_, [this] {
            server_.set_draining(true);
            drain_started_.store(true, std::memory_order_release);
        });
    }
    bool drain_started() const override { return drain_started_.load(std::memory_order_acquire); }

    std::future<std::vector<SessionInfo>> sessions(std::string user) override {
        auto promise = std::make_shared<std::promise<std::vector<SessionInfo>>>();
        auto answer = promise->get_future();
        asio::post(ioc_, [this, promise, user = std::move(user)] { promise->set_value(list_sessions(user)); });
        return answer;
    }

    std::future<std::size_t> disconnect(std::optional<alloc::AllocationId> id, std::string user) override {
        auto promise = std::make_shared<std::promise<std::size_t>>();
        auto answer = promise->get_future();
        asio::post(ioc_, [this, promise, id, user = std::move(user)] {
            const auto now = instant_now();
            promise->set_value(id ? std::size_t{server_.disconnect(*id, now)} : server_.disconnect_user(user, now));
        });
        return answer;
    }

    void request_heartbeat() override {
        asio::post(ioc_, [this] {
            last_turn_.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
        });
    }
    std::chrono::steady_clock::time_point last_turn() const override {
        return std::chrono::steady_clock::time_point(
            std::chrono::steady_clock::duration(last_turn_.load(std::memory_order_relaxed)));
    }

    const turn::TurnCounters& turn_counters() const override { return server_.counters(); }
    const StreamCounters& stream_counters() const override { return stream_counters_; }
    EngineDrops engine_drops() const override { return io_->drops(); }

    // AllocationHost
    bool supports(AddressFamily family) const override { return snapshot_->supports(family); }
    std::variant<turn::RelayEndpoint, alloc::RelayRefusal> open_relay(alloc::AllocationId id,
                                                                      std::string_view identity,
                                                                      const alloc::RelayRequest& request,
                                                                      const turn::RelaySocketOptions& socket,
                                                                      turn::Instant now) override;
    void close_relay(alloc::AllocationId id, std::string_view identity, const TransportAddress& bound) override;
    std::size_t next_alternate() override { return shared_.next_alternate(); }
    void refused(const turn::Refusal& r, turn::Instant now) override { refusals_.note(r, now.monotonic); }
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
    void write_later(StreamConnectionBase& c) override { stream_writes_.add(c.shared_from_this()); }
    bool has_allocation(const alloc::FiveTuple& five_tuple) override { return server_.has_allocation(five_tuple); }
    void on_tls_handshake(StreamConnectionBase& c, const boost::system::error_code& ec) override;
    HttpResponse answer_http(const StreamConnectionBase& c, const HttpRequest& request) override {
        const auto& tuple = c.five_tuple();
        return answer_turn_port_request(
            request, {{tuple.client.ip, tuple.server}, tuple.transport == alloc::Transport::tls}, *this);
    }

    // TurnPortBackend
    const RuntimeSnapshot& snapshot() override { return *snapshot_; }
    bool take_check_credentials(const IpAddress& client) override {
        return shared_.take_check_credentials(client, instant_now().monotonic);
    }
    std::uint32_t check_retry_after_seconds() override { return shared_.check_retry_after_seconds(); }
    std::int64_t now_unix() override { return instant_now().unix_seconds; }
    std::string fresh_nonce() override;

    // DatagramReceiver
    void on_listener_datagram(std::uint32_t listener, const Datagram& d, turn::Instant now) override;
    void on_relay_datagram(alloc::AllocationId id, const Datagram& d, turn::Instant now) override;
    void on_batch_begin() override { stream_writes_.hold(); }
    void on_batch_end() override { stream_writes_.release(); }

private:
    std::vector<SessionInfo> list_sessions(const std::string& user) const;
    void switch_to(SnapshotPtr next, ListenerSockets added);
    void add_udp_listener(const TransportAddress& address, UdpSocket socket);
    void add_stream_listener(const TransportAddress& address, ListeningSocket socket);
    void update_udp_listeners(const config::ListenConfig& listen, ListenerSockets& added);
    void update_stream_listeners(const config::Config& c, ListenerSockets& added);
    void close_unused_retired_listeners();
    void start_accepting(const std::shared_ptr<StreamListener>& l);
    void on_accept(const std::shared_ptr<StreamListener>& l, asio::ip::tcp::socket socket);
    void on_first_bytes(WaitingConnection& w, std::chrono::milliseconds handshake_left);
    alloc::BindOutcome bind_endpoint(alloc::AllocationId id, const TransportAddress& address,
                                     const turn::RelaySocketOptions& options);
    int relay_fd(alloc::AllocationId id) const {
        return id.index < relay_fds_.size() ? relay_fds_[id.index] : -1;
    }
    const UdpListener* udp_listener_for(const TransportAddress& local) const {
        for (const auto& l : udp_listeners_)
            if (l.local == local && l.fd >= 0) return &l;
        return nullptr;
    }

    void arm_tick() {
        tick_.expires_after(std::chrono::seconds(1));
        tick_.async_wait([this](boost::system::error_code ec) {
            if (ec) return;
            const turn::Instant t = instant_now();
            server_.on_tick(t);
            refusals_.tick(t.monotonic);
            shared_.expire_reservations(t.monotonic);
            close_unused_retired_listeners();
            io_->flush();
            arm_tick();
        });
    }

    unsigned index_;
    SharedState& shared_;
    SnapshotPtr snapshot_;  // what server_ and new connections follow; replaced by adopt()
    asio::io_context ioc_{1};
    turn::TurnServer server_;
    asio::steady_timer tick_;
    std::unique_ptr<DatagramIo> io_;
    std::vector<UdpListener> udp_listeners_;
    std::vector<int> relay_fds_;  // by allocation slot; -1 when none
    std::vector<std::shared_ptr<StreamListener>> stream_listeners_;
    bool running_ = false;  // listeners added from now on start at once
    boost::unordered_flat_map<alloc::FiveTuple, std::shared_ptr<StreamConnectionBase>, alloc::FiveTupleHash>
        streams_;
    std::array<std::uint8_t, 2048> reply_{};
    StreamCounters stream_counters_;
    StreamWriteBatch<StreamConnectionBase> stream_writes_{ioc_.get_executor()};
    RefusalLog refusals_{index_};
    std::atomic<bool> drain_started_{false};
    std::atomic<std::chrono::steady_clock::rep> last_turn_{std::chrono::steady_clock::now().time_since_epoch().count()};
};

std::vector<SessionInfo> RelayWorker::list_sessions(const std::string& user) const {
    std::vector<SessionInfo> out;
    const auto now = instant_now().monotonic;
    server_.table().for_each([&](const alloc::Allocation& a) {
        if (!user.empty() && !a.belongs_to(user)) return;
        out.push_back({{index_, a.id}, a.username, a.five_tuple.transport, a.five_tuple.client, a.advertised,
                       static_cast<double>((now - a.created).count()) / 1000.0, a.traffic.bytes_to_peers,
                       a.traffic.bytes_to_client, a.permissions.size(), a.channels.size()});
    });
    return out;
}

void RelayWorker::switch_to(SnapshotPtr next, ListenerSockets added) {
    const auto& c = next->config();
    server_.reconfigure(next->server_options(), next->credentials(), next->nonces(), next->peers());
    update_udp_listeners(c.listen, added);
    update_stream_listeners(c, added);
    snapshot_ = std::move(next);  // the old one goes once nothing here points into it
}

void RelayWorker::add_udp_listener(const TransportAddress& address, UdpSocket socket) {
    std::size_t slot = 0;
    while (slot < udp_listeners_.size() && udp_listeners_[slot].fd >= 0) ++slot;
    if (slot == udp_listeners_.size()) udp_listeners_.emplace_back();
    const int fd = io_->add_listener(std::move(socket), static_cast<std::uint32_t>(slot));
    udp_listeners_[slot] = {fd, address, false};
}

// The reload has made sure that no added address is one still open here, or shares a port
// with one (RetiredUdpListeners, sockets_overlap).
void RelayWorker::update_udp_listeners(const config::ListenConfig& listen, ListenerSockets& added) {
    for (auto& l : udp_listeners_)
        if (l.fd >= 0) l.retired = std::find(listen.udp.begin(), listen.udp.end(), l.local) == listen.udp.end();
    for (auto& [address, socket] : added.udp) add_udp_listener(address, std::move(socket));
}

void RelayWorker::add_stream_listener(const TransportAddress& address, ListeningSocket socket) {
    auto l = std::make_shared<StreamListener>();
    l->acceptor = std::make_unique<StreamAcceptor>(ioc_, std::move(socket), address);
    stream_listeners_.push_back(l);
    if (running_) start_accepting(l);
}

// A listener's address is what it is; whether it speaks TLS and its PROXY settings are
// read again from each config, so a listener can turn from TCP to TLS without closing.
void RelayWorker::update_stream_listeners(const config::Config& c, ListenerSockets& added) {
    for (auto& [address, socket] : added.stream) add_stream_listener(address, std::move(socket));
    std::erase_if(stream_listeners_, [&](const std::shared_ptr<StreamListener>& l) {
        bool tls = false;
        const auto* entry = config::find_stream_listener(c.listen, l->acceptor->address(), &tls);
        if (!entry) {
            l->acceptor->close();
            return true;
        }
        l->tls = tls;
        l->settings = stream_settings(c, entry->proxy_protocol);
        l->trusted = alloc::CidrSet(entry->trusted);
        return false;
    });
}

// At each tick while a removed UDP listener is open: once no allocation made through it is
// left here, the worker says so, and once every worker has, each closes its socket (they
// close together: see RetiredUdpListeners). A scan of the allocations, only while there is
// such a listener.
void RelayWorker::close_unused_retired_listeners() {
    std::vector<UdpListener*> retired;
    for (auto& l : udp_listeners_)
        if (l.fd >= 0 && l.retired) retired.push_back(&l);
    if (retired.empty()) return;
    server_.table().for_each([&](const alloc::Allocation& a) {
        if (a.five_tuple.transport != alloc::Transport::udp) return;
        std::erase_if(retired, [&](const UdpListener* l) { return l->local == a.five_tuple.server; });
    });
    for (UdpListener* l : retired) {
        const TransportAddress local = l->local;
        if (!shared_.with_retired_udp([&](RetiredUdpListeners& r) { return r.idle(local, index_); })) continue;
        io_->remove_listener(l->fd);
        *l = UdpListener{};
        if (shared_.with_retired_udp([&](RetiredUdpListeners& r) { return r.closed(local, index_); }))
            spdlog::info("udp {} closed: no allocation made through it is left", local.to_string());
    }
}

void RelayWorker::on_listener_datagram(std::uint32_t listener, const Datagram& d, turn::Instant now) {
    const UdpListener& l = udp_listeners_[listener];
    const alloc::FiveTuple from{d.from, l.local, alloc::Transport::udp};
    if (l.retired && !server_.has_allocation(from)) return;  // closed for new clients
    const auto bytes = d.payload();
    // The answer is built in the free end of the request's own buffer when it fits, so the
    // engine sends it in the same batch as everything else (a socket an answer closes is
    // flushed by the engine first).
    auto tail = d.storage.subspan(std::min(d.storage.size(), d.offset + d.length + turn::peer_tailroom));
    const std::span<std::uint8_t> answer_space = tail.size() >= reply_.size() ? tail.first(reply_.size())
                                                                             : std::span<std::uint8_t>(reply_);
    const auto action = server_.on_client_packet(from, bytes, now, answer_space);
    trace_exchange(from, bytes, action);
    if (action.kind == turn::ClientAction::Kind::reply) {
        io_->send(l.fd, action.bytes, from.client);
    } else if (action.kind == turn::ClientAction::Kind::to_peer) {
        const int fd = relay_fd(action.allocation);
        if (fd >= 0) io_->send(fd, action.bytes, action.peer);
    }
}

void RelayWorker::on_relay_datagram(alloc::AllocationId id, const Datagram& d, turn::Instant now) {
    const auto action = server_.on_peer_packet(id, d.from, {d.storage, d.offset, d.length}, now);
    if (!action.deliver) return;
    if (action.client->transport != alloc::Transport::udp) {
        if (auto it = streams_.find(*action.client); it != streams_.end() && !it->second->send(action.bytes, true))
            stream_counters_.queue_full_drops.add();
    } else if (const UdpListener* l = udp_listener_for(action.client->server)) {
        io_->send(l->fd, action.bytes, action.client->client);
    }
}

// Limits first, before any TLS work and before any buffer is allocated: the source must be
// a trusted load balancer on a PROXY listener, and within connections_per_ip elsewhere;
// then there must be room under connections_total. Only once the client has sent its
// first bytes is the connection made (framing buffers, TLS state); a silent one is closed
// at the handshake timeout, still holding nothing but its socket and its slot.
void RelayWorker::start_accepting(const std::shared_ptr<StreamListener>& l) {
    // Weak: the listener owns the acceptor, which owns this callback.
    l->acceptor->start([this, weak = std::weak_ptr<StreamListener>(l)](asio::ip::tcp::socket s) {
        if (auto listener = weak.lock()) on_accept(listener, std::move(s));
    });
}

void RelayWorker::on_accept(const std::shared_ptr<StreamListener>& listener, boost::asio::ip::tcp::socket socket) {
    const StreamListener& l = *listener;
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return;
    const TransportAddress client = from_endpoint(remote);
    const alloc::FiveTuple tuple{client, l.acceptor->address(), l.tls ? alloc::Transport::tls : alloc::Transport::tcp};
    const auto refuse = [&](ConnectionRefusal why) {
        stream_counters_.refuse(why);
        refusals_.note(tuple, name_of(why), "", instant_now().monotonic);
    };
    if (l.settings.proxy_protocol && !l.trusted.contains(client.ip)) return refuse(ConnectionRefusal::untrusted_proxy);
    ConnectionSlot slot = shared_.take_connection_slot();
    if (!slot) return refuse(ConnectionRefusal::connections_total);
    if (!l.settings.proxy_protocol && !slot.count_client(client.ip)) return refuse(ConnectionRefusal::connections_per_ip);
    stream_counters_.accepted[l.tls ? 1 : 0].add();
    // What the listener was at accept, for a reload may change it before the first bytes.
    // Shared by the two waits; freed, with its slot, when both have ended.
    auto w = std::make_shared<WaitingConnection>(WaitingConnection{
        std::move(socket), asio::steady_timer(ioc_), std::move(slot), l.tls, l.settings, l.acceptor->address()});
    w->deadline.expires_after(l.settings.handshake_timeout);
    w->deadline.async_wait([w](boost::system::error_code e) {
        if (!e) w->socket.close(e);
    });
    w->socket.async_wait(asio::ip::tcp::socket::wait_read, [this, w](boost::system::error_code e) {
        const auto left = w->deadline.expiry() - asio::steady_timer::clock_type::now();
        w->deadline.cancel();
        if (e || !w->socket.is_open()) return;
        on_first_bytes(*w, std::chrono::duration_cast<std::chrono::milliseconds>(left));
    });
}

void RelayWorker::on_first_bytes(WaitingConnection& w, std::chrono::milliseconds handshake_left) {
    // The handshake gets what is left of the time since accept, not a fresh timeout.
    StreamSettings settings = w.settings;
    settings.handshake_timeout = std::max(handshake_left, std::chrono::milliseconds(1));
    auto c = w.tls ? make_tls_connection(std::move(w.socket), std::move(w.slot), shared_.tls()->current(), w.local,
                                         settings, *this)
                   : make_tcp_connection(std::move(w.socket), std::move(w.slot), w.local, settings, *this);
    c->start();
}

bool RelayWorker::admit(StreamConnectionBase& c) {
    const auto& tuple = c.five_tuple();
    if (streams_.contains(tuple)) return false;
    // A proxied connection's client is known only now, from its PROXY header.
    if (!c.slot().counts_client() && !c.slot().count_client(tuple.client.ip)) {
        stream_counters_.refuse(ConnectionRefusal::connections_per_ip);
        return false;
    }
    streams_.emplace(tuple, c.shared_from_this());
    return true;
}

void RelayWorker::on_stream_message(StreamConnectionBase& c, std::span<const std::uint8_t> message) {
    const auto action = server_.on_client_packet(c.five_tuple(), message, instant_now(), reply_);
    trace_exchange(c.five_tuple(), message, action);
    if (action.kind == turn::ClientAction::Kind::reply) {
        c.send(action.bytes, false);
    } else if (action.kind == turn::ClientAction::Kind::to_peer) {
        // The payload lies in the connection's framer: the engine sends it at once.
        const int fd = relay_fd(action.allocation);
        if (fd >= 0) io_->send(fd, action.bytes, action.peer);
    }
}

void RelayWorker::on_tls_handshake(StreamConnectionBase& c, const boost::system::error_code& ec) {
    if (!ec) return stream_counters_.tls_handshakes.add();
    stream_counters_.tls_handshake_failures.add();
    // An untrusted certificate shows here as the browser's alert ("... alert certificate unknown").
    refusals_.note(c.five_tuple(), "tls_handshake", ec.message(), instant_now().monotonic);
}

std::string RelayWorker::fresh_nonce() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("cannot draw random bytes for a check nonce");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 15]);
    }
    return out;
}

void RelayWorker::on_stream_closed(StreamConnectionBase& c) {
    if (!c.admitted()) return;
    const auto tuple = c.five_tuple();
    if (c.dropped() > 0)
        spdlog::info("stream closed client={} dropped_media_datagrams={}", tuple.client.to_string(), c.dropped());
    server_.on_connection_closed(tuple, instant_now());
    streams_.erase(tuple);
}

alloc::BindOutcome RelayWorker::bind_endpoint(alloc::AllocationId id, const TransportAddress& address,
                                              const turn::RelaySocketOptions& options) {
    auto bound = bind_relay(address, options.dont_fragment);
    if (bound.error == EADDRINUSE) return alloc::BindOutcome::in_use_elsewhere;
    if (bound.error != 0) return alloc::BindOutcome::failed;
    if (relay_fds_.size() <= id.index) relay_fds_.resize(id.index + 1, -1);
    relay_fds_[id.index] = io_->add_relay(std::move(bound.socket), id);
    return alloc::BindOutcome::bound;
}

std::variant<turn::RelayEndpoint, alloc::RelayRefusal> RelayWorker::open_relay(
    alloc::AllocationId id, std::string_view identity, const alloc::RelayRequest& request,
    const turn::RelaySocketOptions& socket, turn::Instant now) {
    alloc::RelayOpening opening;
    // The token is the only thing standing between the reserved port and anyone else.
    if (request.reserve_next && RAND_bytes(opening.fresh_token.data(), static_cast<int>(opening.fresh_token.size())) != 1)
        return alloc::RelayRefusal::no_address;
    auto opened = alloc::open_relay_address(
        [this](auto&& f) { return shared_.with_book(f); }, identity, request, now.monotonic,
        [&](const TransportAddress& a) { return bind_endpoint(id, a, socket); }, opening);
    if (auto* refusal = std::get_if<alloc::RelayRefusal>(&opened)) return *refusal;
    const auto& o = std::get<alloc::RelayOpened>(opened);
    return turn::RelayEndpoint{o.address, snapshot_->advertised(o.address), o.reservation};
}

void RelayWorker::close_relay(alloc::AllocationId id, std::string_view identity, const TransportAddress& bound) {
    if (const int fd = relay_fd(id); fd >= 0) {
        io_->remove_relay(fd);
        relay_fds_[id.index] = -1;
    }
    shared_.with_book([&](alloc::RelayAddressBook& b) { b.end_allocation(identity, bound); });
}

}  // namespace

std::uint64_t allocations_now(const std::vector<Worker*>& workers) {
    std::uint64_t total = 0;
    for (const Worker* w : workers)
        for (auto t : {alloc::Transport::udp, alloc::Transport::tcp, alloc::Transport::tls})
            total += w->turn_counters().held(t);
    return total;
}

std::unique_ptr<Worker> make_worker(unsigned index, SharedState& shared, EngineKind engine) {
    return std::make_unique<RelayWorker>(index, shared, engine);
}

}  // namespace hallpass::relay
