#include "bench/allocation_setup.hpp"

#include <algorithm>
#include <chrono>

#include "bench/clock.hpp"
#include "bench/socket_util.hpp"
#include "turn/channel_data.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::bench {
namespace {

constexpr std::int64_t step_limit_ns = 60'000'000'000;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

Sessions make_sessions(Context& c, std::uint32_t count, std::uint32_t first_index) {
    return make_sessions(c, count, first_index, [&](std::uint32_t) { return c.endpoint; });
}

Sessions make_sessions(Context& c, std::uint32_t count, std::uint32_t first_index,
                       const std::function<Endpoint(std::uint32_t index)>& endpoint_of) {
    Sessions out;
    out.reserve(count);
    const std::int64_t expiry = unix_now() + 3600;
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t index = first_index + i;
        std::string user = c.options.user;
        std::string password = c.options.password;
        if (!c.options.secret.empty()) {
            user = turn::rest_username(expiry, "bench-" + std::to_string(index));
            password = turn::rest_password(c.options.secret, user);
        }
        out.push_back(std::make_unique<Session>(c.loop, endpoint_of(index), std::move(user), std::move(password),
                                                c.seed + index * 0x9E3779B97F4A7C15ull, index));
    }
    return out;
}

StepResult run_step(Context& c, const Sessions& sessions, const StepStarter& start, std::string_view label) {
    StepResult r;
    r.started_ns = now_ns();
    const std::int64_t limit = r.started_ns + step_limit_ns;
    std::vector<Session*> active;
    std::size_t next = 0;
    const auto settle = [&](Session& s) {
        if (s.state() == Session::State::failed) {
            if (r.failed++ == 0) r.first_failure = s.failure();
        } else {
            ++r.succeeded;
            r.slowest_ns = std::max(r.slowest_ns, s.step_finished_ns() - s.step_started_ns());
        }
        r.finished_ns = std::max(r.finished_ns, s.step_finished_ns());
    };
    for (;;) {
        std::int64_t now = now_ns();
        while (next < sessions.size() && active.size() < c.options.in_flight) {
            Session& s = *sessions[next++];
            start(s, now);
            if (s.busy()) active.push_back(&s);
            else settle(s);
        }
        if (active.empty() && next == sessions.size()) break;
        if (now > limit) {
            for (auto* s : active)
                if (s->busy()) s->on_timer(now + step_limit_ns);  // gives up with a timeout
            for (auto* s : active) settle(*s);
            break;
        }
        c.loop.run_once(5'000'000);
        now = now_ns();
        for (std::size_t i = 0; i < active.size();) {
            active[i]->on_timer(now);
            if (active[i]->busy()) {
                ++i;
                continue;
            }
            settle(*active[i]);
            active[i] = active.back();
            active.pop_back();
        }
        if (c.progress.due(now))
            c.progress.show(now, std::string(label) + ": " + std::to_string(r.succeeded) + " done, " +
                                     std::to_string(r.failed) + " failed, " + std::to_string(active.size()) +
                                     " in flight, " + std::to_string(sessions.size() - next) + " waiting");
    }
    if (r.finished_ns == 0) r.finished_ns = now_ns();
    return r;
}

void require_all(const StepResult& r, std::string_view what) {
    if (r.failed == 0) return;
    throw BenchError(std::string(what) + ": " + std::to_string(r.failed) + " of " +
                     std::to_string(r.failed + r.succeeded) + " failed; first: " + r.first_failure);
}

void require_peer_allowed(const StepResult& r, const TransportAddress& peer, std::string_view what) {
    if (r.failed > 0 && r.first_failure.find(": 403") != std::string::npos)
        throw BenchError(std::string(what) + ": the server's peer policy refused the bench's peer " +
                         peer.ip.to_string() + " (403 Forbidden). Allow it in the server's peers (hallpass: "
                         "peers.allow), or give --peer-address an address of this machine that it allows");
    require_all(r, what);
}

void allocate_and_bind(Context& c, const Sessions& sessions,
                       const std::function<TransportAddress(std::uint32_t index)>& peer_of) {
    require_all(run_step(c, sessions, [](Session& s, std::int64_t now) { s.allocate(now); }, "allocate"),
                "Allocate");
    // A server on loopback must relay from loopback too: the bench sends to relayed
    // addresses, and without --remote nothing it sends may leave this machine.
    if (is_loopback(c.options.server))
        for (const auto& s : sessions)
            if (!is_loopback(s->relayed()))
                throw BenchError("the server relays from " + s->relayed().to_string() +
                                 ", not loopback: against a server on loopback the bench only sends to "
                                 "127.0.0.0/8 and ::1 (configure the server's relay address on loopback)");
    const auto bound = run_step(
        c, sessions, [&](Session& s, std::int64_t now) { s.bind_channel(turn::min_channel, peer_of(s.index()), now); },
        "channel bind");
    require_peer_allowed(bound, peer_of(0), "ChannelBind");
}

void release_all(Context& c, const Sessions& sessions) {
    // Waits for the server's confirmations (Session::release), so that the next run —
    // capacity's next step, say — finds the server's limits as the bench left them.
    run_step(c, sessions, [](Session& s, std::int64_t now) { s.release(now); }, "release");
}

}  // namespace hallpass::bench
