// The round-trip traffic of saturate and latency, over either topology:
//
//   echo:  session i --ChannelData--> server --relay--> echo peer (bench)
//          session i <--ChannelData-- server <--relay-- echo peer
//   pairs: session 2k --ChannelData--> server --relay 2k--> relay 2k+1 --> session 2k+1,
//          which turns the ping into a pong and sends it back the same way.
//
// Counting (the same for any server): a "relayed packet" is one ChannelData message or
// Data indication that arrives at a bench session from the server, i.e. one datagram the
// server relayed to a client. In echo each round trip is one (the leg to the echo peer
// is not counted, since the peer is not a TURN client); in pairs each round trip is two.
// The round trip is measured from the ping's send timestamp to the arrival of its echo or
// pong at the session that sent it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "bench/allocation_setup.hpp"
#include "bench/peer_socket.hpp"
#include "bench/scenario.hpp"
#include "bench/statistics.hpp"

namespace hallpass::bench {

class ProbeTraffic final : public Sink {
public:
    // Makes the sessions and, for echo, the peers; allocates and binds a channel on each.
    explicit ProbeTraffic(Context& c);
    ~ProbeTraffic() override;

    // Sends one ping from session i.
    void send_ping(std::uint32_t i, std::int64_t now_ns);
    void on_data(Session& session, std::span<const std::uint8_t> payload, std::int64_t now_ns) override;

    // Relayed packets and round trips are counted only inside [from, until).
    void set_window(std::int64_t from_ns, std::int64_t until_ns) {
        window_from_ = from_ns;
        window_until_ = until_ns;
    }
    // Called with the session index each time one of its own pings comes back.
    void set_on_return(std::function<void(std::uint32_t, std::int64_t)> f) { on_return_ = std::move(f); }

    std::uint32_t size() const { return static_cast<std::uint32_t>(sessions_.size()); }
    void release(Context& c) { release_all(c, sessions_); }

    Histogram rtt;                   // ns, returns inside the window
    std::uint64_t relayed = 0;       // inside the window
    std::uint64_t sent = 0;          // pings sent (all)
    std::uint64_t returned = 0;      // own pings back (all)
    std::uint64_t send_drops() const;

private:
    Context& c_;
    Sessions sessions_;
    std::vector<std::unique_ptr<PeerSocket>> peers_;
    std::vector<std::uint64_t> sequence_;
    std::vector<std::uint8_t> scratch_;
    std::function<void(std::uint32_t, std::int64_t)> on_return_;
    std::int64_t window_from_ = 0;
    std::int64_t window_until_ = 0;
};

}  // namespace hallpass::bench
