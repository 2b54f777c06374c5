// A TurnServer with everything around it faked, and a TurnClient to talk to it: no
// sockets, no clock. The host opens relay addresses with the server's own policy
// (alloc::open_relay_address over a real RelayAddressBook: pool, quotas, reservations),
// with binding faked — addresses listed in `in_use_elsewhere` fail as another process's —
// and records what the core told it; time is an Instant the test moves by hand.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <set>

#include "alloc/cidr_block.hpp"
#include "alloc/relay_address_opening.hpp"
#include "turn/probe_credentials.hpp"
#include "turn/turn_client.hpp"
#include "turn/turn_server.hpp"

namespace hallpass::turn::testing {

using Bytes = std::vector<std::uint8_t>;
using Kind = ClientResult::Kind;
using std::chrono::seconds;

inline TransportAddress at(std::string_view text) { return *TransportAddress::parse(text); }
inline alloc::CidrBlock cidr(std::string_view text) { return *alloc::CidrBlock::parse(text); }
inline Bytes bytes_of(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }
inline Bytes bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

inline constexpr std::string_view realm = "hallpass.test";
inline constexpr std::string_view secret_one = "secret-one";
inline constexpr std::string_view secret_two = "secret-two";

struct Ended {
    alloc::AllocationId id;
    std::string username;
    EndReason why;
};

class FakeHost : public AllocationHost {
public:
    FakeHost(std::string_view range, std::size_t total_quota, std::size_t user_quota)
        : book(alloc::RelayAddressPool({cidr(range)}), alloc::QuotaLedger(total_quota, user_quota), 42) {}

    bool supports(AddressFamily family) const override { return book.supports(family); }
    std::variant<RelayEndpoint, alloc::RelayRefusal> open_relay(alloc::AllocationId, std::string_view identity,
                                                                const alloc::RelayRequest& request,
                                                                const RelaySocketOptions& socket,
                                                                Instant now) override {
        last_socket = socket;
        alloc::RelayOpening opening;
        opening.fresh_token[0] = static_cast<std::uint8_t>(++tokens_issued);
        auto bind = [&](const TransportAddress& a) {
            ++bind_attempts;
            return in_use_elsewhere.contains(a) ? alloc::BindOutcome::in_use_elsewhere : alloc::BindOutcome::bound;
        };
        auto with_book = [&](auto&& f) { return f(book); };
        auto opened = alloc::open_relay_address(with_book, identity, request, now.monotonic, bind, opening);
        if (auto* refusal = std::get_if<alloc::RelayRefusal>(&opened)) return *refusal;
        const auto& o = std::get<alloc::RelayOpened>(opened);
        return RelayEndpoint{o.address, o.address, o.reservation};
    }
    void close_relay(alloc::AllocationId, std::string_view identity, const TransportAddress& bound) override {
        book.end_allocation(identity, bound);
        closed.push_back(bound);
    }
    void allocation_created(const alloc::Allocation& a, Instant) override {
        created.push_back(a.id);
    }
    void allocation_ended(const alloc::Allocation& a, EndReason why, Instant) override {
        ended.push_back({a.id, a.username, why});
    }

    alloc::RelayAddressBook book;
    std::set<TransportAddress> in_use_elsewhere;
    int tokens_issued = 0;
    int bind_attempts = 0;
    RelaySocketOptions last_socket;
    std::vector<alloc::AllocationId> created;
    std::vector<Ended> ended;
    std::vector<TransportAddress> closed;
};

struct HarnessOptions {
    std::string relay_range = "192.0.2.0/24";
    std::size_t total_quota = 0;  // 0: unlimited
    std::size_t user_quota = 0;
    std::vector<std::string> allow;
    std::vector<std::string> deny;
    std::vector<std::string> own_endpoints;
    ServerOptions server;
    std::int64_t max_credential_lifetime = 0;
    alloc::Transport transport = alloc::Transport::udp;
    std::int64_t nonce_lifetime = 600;
};

class Harness {
public:
    explicit Harness(const HarnessOptions& o = {})
        : credentials(std::string(realm), {{"alice", "alice-pw"}, {"bob", "bob-pw"}},
                      {std::string(secret_one), std::string(secret_two)},
                      {o.max_credential_lifetime, probe_key(secret_one)}),
          nonces(std::array<std::uint8_t, 32>{1, 2, 3}, o.nonce_lifetime),
          policy(PeerRules{blocks(o.allow), blocks(o.deny), addresses(o.own_endpoints), {cidr(o.relay_range)}, 0, 65535}),
          host(o.relay_range, o.total_quota, o.user_quota),
          server(o.server, credentials, nonces, policy, host),
          tuple{at("203.0.113.5:50000"), at("198.51.100.1:3478"), o.transport} {}

    // Another client behind the same server address: another port of the same NAT.
    alloc::FiveTuple other_tuple(std::uint16_t port) const {
        alloc::FiveTuple t = tuple;
        t.client.port = port;
        return t;
    }

    void advance(seconds s) {
        now.monotonic += s;
        now.unix_seconds += s.count();
    }

    ClientAction send(std::span<const std::uint8_t> packet) { return send(packet, tuple); }
    ClientAction send(std::span<const std::uint8_t> packet, const alloc::FiveTuple& from) {
        return server.on_client_packet(from, packet, now, reply);
    }

    // One request and its answer, read by the client.
    ClientResult exchange(TurnClient& c, std::span<const std::uint8_t> request,
                          const alloc::FiveTuple& from) {
        EXPECT_FALSE(request.empty()) << "request did not fit";
        const ClientAction a = send(request, from);
        if (a.kind != ClientAction::Kind::reply) return {};
        return c.handle_response(a.bytes);
    }

    // A request built by `build`, sent again when the server challenges it (401/438), as a
    // client does.
    template <class Build>
    ClientResult request(TurnClient& c, Build build, const alloc::FiveTuple& from) {
        ClientResult r = exchange(c, build(), from);
        if (r.kind == Kind::retry) r = exchange(c, build(), from);
        return r;
    }

    // An unsigned Allocate answered with 401: the client learns the realm and a nonce for
    // `from`, as a real client does before anything else.
    void challenge(TurnClient& c) { challenge(c, tuple); }
    void challenge(TurnClient& c, const alloc::FiveTuple& from) {
        const ClientAction a = send(c.allocate_request(out), from);
        ASSERT_EQ(a.kind, ClientAction::Kind::reply);
        ASSERT_EQ(c.handle_response(a.bytes).kind, Kind::retry);
    }

    ClientResult allocate(TurnClient& c, AllocateOptions o = {}) { return allocate(c, tuple, o); }
    ClientResult allocate(TurnClient& c, const alloc::FiveTuple& from, AllocateOptions o = {}) {
        return request(c, [&] { return c.allocate_request(out, o); }, from);
    }
    ClientResult refresh(TurnClient& c, std::optional<std::uint32_t> lifetime) {
        return request(c, [&] { return c.refresh_request(out, lifetime); }, tuple);
    }
    ClientResult permit(TurnClient& c, const TransportAddress& peer) {
        return request(c, [&] { return c.create_permission_request(out, peer); }, tuple);
    }
    ClientResult bind(TurnClient& c, std::uint16_t channel, const TransportAddress& peer) {
        return request(c, [&] { return c.channel_bind_request(out, channel, peer); }, tuple);
    }

    // A packet from `peer` to the newest allocation's relay address, with the room in front
    // and behind that the core frames it in.
    PeerAction from_peer(const TransportAddress& peer, std::span<const std::uint8_t> payload) {
        std::copy(payload.begin(), payload.end(), peer_storage.begin() + peer_headroom);
        return server.on_peer_packet(host.created.back(), peer,
                                     PeerPacket{peer_storage, peer_headroom, payload.size()}, now);
    }

    CredentialStore credentials;
    NonceIssuer nonces;
    PeerPolicy policy;
    FakeHost host;
    TurnServer server;
    alloc::FiveTuple tuple;
    Instant now{alloc::Millis{10'000'000}, 1'700'000'000};
    std::array<std::uint8_t, 2048> out{};
    std::array<std::uint8_t, 2048> reply{};
    std::array<std::uint8_t, 2048> peer_storage{};

private:
    static std::vector<alloc::CidrBlock> blocks(const std::vector<std::string>& texts) {
        std::vector<alloc::CidrBlock> out;
        for (const auto& t : texts) out.push_back(cidr(t));
        return out;
    }
    static std::vector<TransportAddress> addresses(const std::vector<std::string>& texts) {
        std::vector<TransportAddress> out;
        for (const auto& t : texts) out.push_back(at(t));
        return out;
    }
};

// A harness with alice's allocation already made.
class Allocated : public ::testing::Test {
protected:
    explicit Allocated(const HarnessOptions& o = {}) : h(o) {}
    void SetUp() override {
        const ClientResult r = h.allocate(alice);
        ASSERT_EQ(r.kind, Kind::success);
        relayed = *r.relayed;
    }

    Harness h;
    TurnClient alice{"alice", "alice-pw", 1};
    TransportAddress relayed;
    const TransportAddress peer = at("198.52.100.7:4000");
};

}  // namespace hallpass::turn::testing
