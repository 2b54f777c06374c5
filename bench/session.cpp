#include "bench/session.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <array>

#include "bench/clock.hpp"
#include "stun/message_type.hpp"
#include "turn/channel_data.hpp"

namespace hallpass::bench {
namespace {

// RFC 8489 §6.2.1: over UDP, retransmit with an RTO that starts at 500 ms and doubles. The
// bench caps it at 2 s and sends at most 5 times, so a server that never answers is
// reported as such after 7.5 s. Over TCP/TLS nothing is retransmitted; the whole step
// (connect, handshake and the exchange) has 10 s.
constexpr std::int64_t initial_rto_ns = 500'000'000;
constexpr std::int64_t max_rto_ns = 2'000'000'000;
constexpr int max_transmissions = 5;
constexpr std::int64_t stream_step_timeout_ns = 10'000'000'000;
// A 401 or 438 is answered at most this many times per step, so a confused server
// cannot keep the bench in a loop.
constexpr int max_challenges = 3;
// Times an Allocate answered 437 is tried again from a new UDP port.
constexpr int max_fresh_ports = 3;

thread_local std::array<std::uint8_t, 2048> request_buffer;

std::string method_name(std::uint16_t m) {
    switch (static_cast<stun::Method>(m)) {
        case stun::Method::allocate: return "Allocate";
        case stun::Method::channel_bind: return "ChannelBind";
        case stun::Method::create_permission: return "CreatePermission";
        case stun::Method::refresh: return "Refresh";
        default: return "request";
    }
}

std::int64_t rto(int transmissions) {
    std::int64_t t = initial_rto_ns;
    for (int i = 1; i < transmissions && t < max_rto_ns; ++i) t *= 2;
    return t < max_rto_ns ? t : max_rto_ns;
}

}  // namespace

Session::Session(EventLoop& loop, const Endpoint& endpoint, std::string username, std::string password,
                 std::uint64_t seed, std::uint32_t index)
    : loop_(loop), endpoint_(endpoint), client_(std::move(username), std::move(password), seed), index_(index) {}

Session::~Session() { close_socket(); }

bool Session::busy() const {
    switch (state_) {
        case State::connecting:
        case State::handshaking:
        case State::allocating:
        case State::binding:
        case State::releasing: return true;
        default: return false;
    }
}

void Session::allocate(std::int64_t now_ns, const turn::AllocateOptions& options) {
    allocate_options_ = options;
    step_started_ns_ = now_ns;
    step_ = Step::allocate;
    challenges_ = 0;
    transmissions_ = 0;
    step_deadline_ns_ = now_ns + stream_step_timeout_ns;
    if (!open_socket()) return;
    if (stream()) {
        state_ = State::connecting;  // transport_ready() sends the Allocate
        return;
    }
    begin_step(Step::allocate, now_ns);
}

void Session::transport_ready(std::int64_t now_ns) { begin_step(Step::allocate, now_ns); }

void Session::bind_channel(std::uint16_t channel, const TransportAddress& peer, std::int64_t now_ns) {
    channel_ = channel;
    peer_ = peer;
    step_started_ns_ = now_ns;
    begin_step(Step::bind, now_ns);
}

void Session::create_permission(const TransportAddress& peer, std::int64_t now_ns) {
    peer_ = peer;
    step_started_ns_ = now_ns;
    begin_step(Step::permission, now_ns);
}

void Session::begin_step(Step step, std::int64_t now_ns) {
    if (state_ == State::failed) return;
    step_ = step;
    transmissions_ = 0;
    challenges_ = 0;
    state_ = step == Step::allocate ? State::allocating : step == Step::release ? State::releasing : State::binding;
    if (stream()) step_deadline_ns_ = now_ns + stream_step_timeout_ns;
    send_step(now_ns);
}

void Session::send_step(std::int64_t now_ns) {
    std::span<const std::uint8_t> request;
    switch (step_) {
        case Step::allocate: request = client_.allocate_request(request_buffer, allocate_options_); break;
        case Step::bind: request = client_.channel_bind_request(request_buffer, channel_, peer_); break;
        case Step::permission: request = client_.create_permission_request(request_buffer, peer_); break;
        case Step::release: request = client_.refresh_request(request_buffer, 0u); break;
        case Step::none: return;
    }
    ++transmissions_;
    if (!stream()) step_deadline_ns_ = now_ns + rto(transmissions_);
    write(request);
}

void Session::on_timer(std::int64_t now_ns) {
    if (!busy() || now_ns < step_deadline_ns_) return;
    if (!stream() && transmissions_ < max_transmissions && state_ != State::connecting) {
        send_step(now_ns);
        return;
    }
    if (state_ == State::releasing) return released();  // the server did not confirm in time
    switch (state_) {
        case State::connecting: fail("timeout: TCP connect to " + endpoint_.server.to_string()); break;
        case State::handshaking: fail("timeout: TLS handshake with " + endpoint_.server.to_string()); break;
        default:
            fail("timeout: no answer from " + endpoint_.server.to_string() + " after " +
                 std::to_string(transmissions_) + " transmissions");
    }
}

void Session::handle_message(std::span<const std::uint8_t> bytes, std::int64_t now_ns) {
    if (bytes.empty()) return;
    // ChannelData, or a Data indication: application data for the scenario.
    if (auto data = turn::TurnClient::parse_incoming(bytes)) {
        if (sink_) sink_->on_data(*this, data->payload, now_ns);
        return;
    }
    if (turn::looks_like_channel_data(bytes[0])) return;
    handle_answer(bytes, now_ns);
}

void Session::handle_answer(std::span<const std::uint8_t> bytes, std::int64_t now_ns) {
    const auto r = client_.handle_response(bytes);
    using Kind = turn::ClientResult::Kind;
    if (r.kind == Kind::not_mine || !busy()) return;
    switch (r.kind) {
        case Kind::retry:
            if (++challenges_ > max_challenges) {
                fail(method_name(r.method) + ": server keeps answering " + std::to_string(static_cast<int>(r.code)));
                return;
            }
            transmissions_ = 0;
            send_step(now_ns);
            return;
        case Kind::success:
            if (r.method == static_cast<std::uint16_t>(stun::Method::allocate)) {
                if (!r.relayed) {
                    fail("Allocate: success without XOR-RELAYED-ADDRESS");
                    return;
                }
                relayed_ = *r.relayed;
                finish_step(State::allocated, now_ns);
            } else if (step_ == Step::release) {
                released();
            } else {
                finish_step(State::ready, now_ns);
            }
            return;
        case Kind::error: {
            // 437 to a Refresh: the allocation is gone already. Any other refusal leaves
            // nothing for the bench to do about it either; the next run's setup reports
            // what the server still holds.
            if (step_ == Step::release) return released();
            if (r.code == stun::ErrorCode::allocation_mismatch && step_ == Step::allocate && !stream() &&
                fresh_ports_ < max_fresh_ports) {
                // 437: this 5-tuple already has an allocation on the server — a port of an
                // earlier run reused by the kernel, or our own retransmitted Allocate after
                // the first one succeeded. Start again from a fresh port.
                ++fresh_ports_;
                const std::int64_t started = step_started_ns_;
                const int old_fd = fd_;
                loop_.remove(old_fd);
                fd_ = -1;
                allocate(now_ns, allocate_options_);
                ::close(old_fd);
                step_started_ns_ = started;
                return;
            }
            std::string why = method_name(r.method) + ": " + std::to_string(static_cast<int>(r.code)) + " " +
                              std::string(stun::reason_of(r.code));
            if (r.code == stun::ErrorCode::unauthenticated || r.code == stun::ErrorCode::wrong_credentials)
                why += " (authentication failed: check --user/--password or --secret)";
            if (r.code == stun::ErrorCode::allocation_quota_reached)
                why += " (the server's per-user quota: with --secret each allocation has a user id of its own; "
                       "with --user, raise the server's limits.allocations_per_user)";
            fail(why);
            return;
        }
        case Kind::not_mine: return;
    }
}

void Session::finish_step(State next, std::int64_t now_ns) {
    state_ = next;
    step_ = Step::none;
    step_finished_ns_ = now_ns;
}

void Session::fail(std::string why) {
    if (state_ == State::failed) return;
    state_ = State::failed;
    step_ = Step::none;
    failure_ = std::move(why);
    step_finished_ns_ = now_ns();
    // A UDP session that holds an allocation (its ChannelBind failed, say) keeps its
    // socket: release() ends the allocation from the same 5-tuple, so that it does not
    // count against the server's limits in the next run (capacity's next step).
    if (stream() || relayed_.port == 0) close_socket();
}

void Session::release(std::int64_t now_ns) {
    if (fd_ < 0) return;
    step_started_ns_ = now_ns;
    if (!stream()) {
        if (relayed_.port == 0 || !client_.can_sign()) return close_socket();
        state_ = State::releasing;  // also after a failed later step: the allocation is still there
        begin_step(Step::release, now_ns);
        return;
    }
    // What is still queued would be cut off by the end of the connection: the server then
    // sees a reset, which also ends the allocation.
    flush();
    if (fd_ < 0 || outbox_sent_ < outbox_.size() || (state_ != State::allocated && state_ != State::ready &&
                                                       state_ != State::failed))
        return close_socket();
    state_ = State::releasing;
    step_ = Step::release;
    step_deadline_ns_ = now_ns + stream_step_timeout_ns;
    if (ssl_) SSL_shutdown(ssl_);  // close_notify; the server's answer is the end of the connection
    ::shutdown(fd_, SHUT_WR);
}

void Session::released() {
    close_socket();
    finish_step(State::released, now_ns());
}

bool Session::send_channel_data(std::span<const std::uint8_t> payload) {
    thread_local std::array<std::uint8_t, 4 + 65536 + 4> buffer;
    const auto message = turn::TurnClient::channel_data(buffer, channel_, payload, stream());
    if (message.empty() || fd_ < 0) {
        ++send_drops_;
        return false;
    }
    if (!write(message)) {
        ++send_drops_;
        return false;
    }
    return true;
}

}  // namespace hallpass::bench
