#include "bench/probe_traffic.hpp"

#include <algorithm>

#include "bench/payload.hpp"

namespace hallpass::bench {
namespace {

// Echo peers are shared: allocation i uses peer i mod this many. Several sockets spread
// the server's relayed traffic over several 5-tuples on the peer side too.
constexpr std::uint32_t max_echo_peers = 8;

}  // namespace

ProbeTraffic::ProbeTraffic(Context& c)
    : c_(c), sessions_(make_sessions(c, c.options.allocations)), sequence_(c.options.allocations, 0),
      scratch_(c.options.payload, 0x5A) {
    const bool pairs = c.options.topology == Topology::pairs;
    if (!pairs) {
        const std::uint32_t n = std::min(max_echo_peers, c.options.allocations);
        for (std::uint32_t i = 0; i < n; ++i) peers_.push_back(std::make_unique<PeerSocket>(c.loop, peer_bind_address(c.options)));
    }
    for (auto& s : sessions_) s->set_sink(this);
    allocate_and_bind(c, sessions_, [&](std::uint32_t i) {
        if (pairs) return sessions_[i ^ 1u]->relayed();
        return peers_[i % peers_.size()]->address();
    });
}

ProbeTraffic::~ProbeTraffic() = default;

std::uint64_t ProbeTraffic::send_drops() const {
    std::uint64_t n = 0;
    for (const auto& s : sessions_) n += s->send_drops();
    for (const auto& p : peers_) n += p->send_drops();
    return n;
}

void ProbeTraffic::send_ping(std::uint32_t i, std::int64_t now_ns) {
    write_probe(scratch_, Probe{ProbeKind::ping, i, sequence_[i]++, now_ns});
    ++sent;
    sessions_[i]->send_channel_data(scratch_);
}

void ProbeTraffic::on_data(Session& session, std::span<const std::uint8_t> payload, std::int64_t now_ns) {
    const auto probe = read_probe(payload);
    if (!probe) return;
    const bool inside = now_ns >= window_from_ && now_ns < window_until_;
    if (inside) ++relayed;
    const bool pairs = c_.options.topology == Topology::pairs;
    if (pairs && probe->kind == ProbeKind::ping) {
        // The partner's ping: turn it back through the relay (what a client echoing would do).
        const std::size_t n = std::min(payload.size(), scratch_.size());
        std::copy_n(payload.begin(), n, scratch_.begin());
        mark_pong(scratch_);
        session.send_channel_data(std::span<const std::uint8_t>(scratch_.data(), n));
        return;
    }
    if (probe->stream != session.index()) return;
    ++returned;
    if (inside) rtt.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_ns - probe->sent_ns)));
    if (on_return_) on_return_(probe->stream, now_ns);
}

}  // namespace hallpass::bench
