// TurnServer: the sans-IO TURN core of one worker (RFC 8656 over RFC 8489). It takes a
// packet, the 5-tuple it came on and the time, and says what to send where; it owns the
// worker's allocations. Sockets, threads and clocks stay in relay/.
#pragma once

#include <cstdint>
#include <span>

#include "alloc/allocation_table.hpp"
#include "stun/error_codes.hpp"
#include "stun/message_builder.hpp"
#include "stun/message_view.hpp"
#include "turn/allocation_host.hpp"
#include "turn/credential_store.hpp"
#include "turn/nonce_issuer.hpp"
#include "turn/peer_policy.hpp"
#include "turn/reply_rate_limiter.hpp"
#include "turn/server_options.hpp"
#include "turn/turn_counters.hpp"

namespace hallpass::turn {

// What to do with a packet that came from a client.
struct ClientAction {
    enum class Kind { drop, reply, to_peer };
    Kind kind = Kind::drop;
    std::span<const std::uint8_t> bytes;  // the reply, or the payload for the peer
    alloc::AllocationId allocation;       // to_peer: whose relay socket sends it
    TransportAddress peer;                // to_peer: where to
};

// A packet from a peer, received into `storage` at `offset` with `length` bytes. The core
// frames it for the client in place, so `storage` must have `peer_headroom` bytes before
// the data and `peer_tailroom` after it.
struct PeerPacket {
    std::span<std::uint8_t> storage;
    std::size_t offset = 0;
    std::size_t length = 0;
};
inline constexpr std::size_t peer_headroom = 48;  // Data indication header + XOR-PEER-ADDRESS (v6) + DATA header
inline constexpr std::size_t peer_tailroom = 4;   // padding

struct PeerAction {
    bool deliver = false;
    std::span<const std::uint8_t> bytes;       // ChannelData or a Data indication
    const alloc::FiveTuple* client = nullptr;  // the allocation's client
};

class TurnServer {
public:
    TurnServer(ServerOptions options, const CredentialStore& credentials,
               const NonceIssuer& nonces, const PeerPolicy& peers, AllocationHost& host);

    // A reload's settings, for what happens from now on: new allocations get the new
    // lifetimes and bandwidth limit, every request is checked against the new credentials and
    // peer rules; existing allocations, permissions and channels stay. The caller keeps the
    // three objects alive while this server uses them.
    void reconfigure(ServerOptions options, const CredentialStore& credentials, const NonceIssuer& nonces,
                     const PeerPolicy& peers);

    // Draining: a new Allocate is sent to an alternate (300 Try Alternate), or refused with
    // 403 when none is configured; existing allocations go on (refresh, permissions,
    // channels, data) until they end.
    void set_draining(bool draining) { draining_ = draining; }
    bool draining() const { return draining_; }

    ClientAction on_client_packet(const alloc::FiveTuple& from, std::span<const std::uint8_t> packet,
                                  Instant now, std::span<std::uint8_t> reply_buffer);
    PeerAction on_peer_packet(alloc::AllocationId id, const TransportAddress& peer,
                              PeerPacket packet, Instant now);

    // Ends what has expired; called by the worker's timer about once a second. At most
    // max_expiries_per_tick entries are handled per call, so a tick stays short even when
    // a whole school's allocations end at once; the rest wait for the next.
    static constexpr std::size_t max_expiries_per_tick = 16384;
    void on_tick(Instant now);
    // A stream closed: its allocation ends with it (RFC 8656 §3.1).
    void on_connection_closed(const alloc::FiveTuple& five_tuple, Instant now);
    void end_all(Instant now);
    // An operator's disconnect: ends the allocation at once (its relay address goes back to
    // the pool; the client's next request gets 437). False when there is no such allocation.
    bool disconnect(alloc::AllocationId id, Instant now);
    // Ends every allocation whose username, or user id (the part after "expiry:"), is `user`.
    std::size_t disconnect_user(std::string_view user, Instant now);

    std::size_t allocation_count() const { return table_.size(); }
    bool has_allocation(const alloc::FiveTuple& five_tuple) { return table_.find(five_tuple) != nullptr; }
    const alloc::Allocation* allocation(alloc::AllocationId id) const { return table_.get(id); }
    const alloc::AllocationTable& table() const { return table_; }
    const ReplyRateLimiter& reply_limiter() const { return reply_limiter_; }
    // This worker's counts, for a metrics scrape from another thread (turn/counter.hpp).
    const TurnCounters& counters() const { return counters_; }

private:
    struct Request;  // a parsed request with what the handlers need (turn_server.cpp)

    ClientAction on_channel_data(const alloc::FiveTuple& from, std::span<const std::uint8_t> packet,
                                 Instant now);
    ClientAction on_stun(const alloc::FiveTuple& from, const stun::MessageView& m, Instant now,
                         std::span<std::uint8_t> out);
    ClientAction on_send_indication(const alloc::FiveTuple& from, const stun::MessageView& m,
                                    Instant now);

    ClientAction handle_binding(Request& r);
    ClientAction handle_allocate(Request& r);
    ClientAction handle_refresh(Request& r);
    ClientAction handle_create_permission(Request& r);
    ClientAction handle_channel_bind(Request& r);

    std::optional<ClientAction> authenticate(Request& r);
    std::optional<ClientAction> refuse_bare_request(Request& r);
    ClientAction error(Request& r, stun::ErrorCode code);
    ClientAction finish(Request& r, stun::MessageBuilder& b);
    stun::MessageBuilder success(Request& r);
    ClientAction reply_unauthenticated(Request& r, stun::ErrorCode code, AuthOutcome outcome);
    ClientAction refuse_peer(Request& r, stun::ErrorCode code, const TransportAddress& peer);
    ClientAction dropped(DropReason why) {
        counters_.drop(why);
        return {};
    }

    std::optional<ClientAction> check_allocate_attributes(Request& r, alloc::RelayRequest& relay);
    // 300 with the next alternate for the client's transport, or nullopt when none is configured.
    std::optional<ClientAction> try_alternate(Request& r);
    void end(alloc::Allocation& a, EndReason why, Instant now);

    ServerOptions options_;
    const CredentialStore* credentials_;
    const NonceIssuer* nonces_;
    const PeerPolicy* peers_;
    AllocationHost& host_;
    alloc::AllocationTable table_;
    ReplyRateLimiter reply_limiter_;
    TurnCounters counters_;
    bool draining_ = false;
};

}  // namespace hallpass::turn
