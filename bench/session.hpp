// Session: one TURN allocation as the bench drives it — its own 5-tuple (a UDP socket, or a
// TCP or TLS connection), a turn::TurnClient for the protocol, and the setup steps
// (Allocate with the 401 challenge, then ChannelBind or CreatePermission) with
// retransmission on UDP. Application data that comes back goes to a Sink.
//
// session.cpp holds the setup steps; session_io.cpp the non-blocking socket work.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bench/event_loop.hpp"
#include "bench/options.hpp"
#include "stun/transport_address.hpp"
#include "turn/stream_framer.hpp"
#include "turn/turn_client.hpp"

namespace hallpass::bench {

class Session;

// Receives application data relayed to a session: a ChannelData message or a Data
// indication, already unwrapped. Called on the loop's thread; the span is valid only
// during the call.
class Sink {
public:
    virtual ~Sink() = default;
    virtual void on_data(Session& session, std::span<const std::uint8_t> payload, std::int64_t now_ns) = 0;
};

struct Endpoint {
    TransportAddress server;
    Transport transport = Transport::udp;
    SSL_CTX* tls = nullptr;  // for Transport::tls
};

class Session final : public Pollable {
public:
    enum class State { idle, connecting, handshaking, allocating, allocated, binding, ready, releasing, released, failed };

    Session(EventLoop& loop, const Endpoint& endpoint, std::string username, std::string password,
            std::uint64_t seed, std::uint32_t index);
    ~Session() override;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Setup steps. Each runs until busy() turns false; then state() is allocated (after
    // allocate) or ready (after bind/permission), or failed with failure() saying why.
    void allocate(std::int64_t now_ns, const turn::AllocateOptions& options = {});
    void bind_channel(std::uint16_t channel, const TransportAddress& peer, std::int64_t now_ns);
    void create_permission(const TransportAddress& peer, std::int64_t now_ns);
    // Retransmits (UDP) or gives up when the current step's deadline has passed.
    void on_timer(std::int64_t now_ns);
    bool busy() const;
    // Ends the allocation and waits, like the other steps, until the server has: over UDP a
    // Refresh with LIFETIME 0 until it is answered; over TCP and TLS the connection's end
    // (close_notify, FIN) until the server closes its side, which it does once it has
    // dropped the allocation. Then state() is released and the socket closed; a server that
    // does not answer within the step's time is left (released, socket closed).
    void release(std::int64_t now_ns);

    // The data path: ChannelData on the bound channel (padded on streams). False when the
    // socket could not take it (counted in send_drops()).
    bool send_channel_data(std::span<const std::uint8_t> payload);

    void on_event(std::uint32_t events) override;

    State state() const { return state_; }
    const std::string& failure() const { return failure_; }
    std::uint32_t index() const { return index_; }
    const TransportAddress& relayed() const { return relayed_; }
    std::uint16_t channel() const { return channel_; }
    std::int64_t step_started_ns() const { return step_started_ns_; }
    std::int64_t step_finished_ns() const { return step_finished_ns_; }
    std::uint64_t send_drops() const { return send_drops_; }
    void set_sink(Sink* sink) { sink_ = sink; }

private:
    enum class Step { none, allocate, bind, permission, release };

    // session.cpp: the protocol.
    void begin_step(Step step, std::int64_t now_ns);
    void send_step(std::int64_t now_ns);
    void handle_message(std::span<const std::uint8_t> bytes, std::int64_t now_ns);
    void handle_answer(std::span<const std::uint8_t> bytes, std::int64_t now_ns);
    void finish_step(State next, std::int64_t now_ns);
    void fail(std::string why);
    void transport_ready(std::int64_t now_ns);
    void released();

    // session_io.cpp: the socket.
    bool open_socket();
    void on_connected();
    void continue_handshake();
    void read_datagrams();
    void read_stream();
    bool write(std::span<const std::uint8_t> bytes);
    void flush();
    void update_interest();
    void close_socket();
    bool stream() const { return endpoint_.transport != Transport::udp; }

    EventLoop& loop_;
    Endpoint endpoint_;
    turn::TurnClient client_;
    std::uint32_t index_;
    State state_ = State::idle;
    std::string failure_;
    Sink* sink_ = nullptr;

    int fd_ = -1;
    SSL* ssl_ = nullptr;
    std::unique_ptr<turn::StreamFramer> framer_;
    std::vector<std::uint8_t> outbox_;
    std::size_t outbox_sent_ = 0;
    bool want_write_ = false;             // EPOLLOUT is registered
    bool handshake_wants_write_ = false;

    Step step_ = Step::none;
    turn::AllocateOptions allocate_options_;
    std::uint16_t channel_ = 0;
    TransportAddress peer_;
    TransportAddress relayed_;
    int transmissions_ = 0;
    int challenges_ = 0;
    int fresh_ports_ = 0;
    std::int64_t step_deadline_ns_ = 0;
    std::int64_t step_started_ns_ = 0;
    std::int64_t step_finished_ns_ = 0;
    std::uint64_t send_drops_ = 0;
};

}  // namespace hallpass::bench
