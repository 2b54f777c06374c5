// The TURN core as a fuzzer drives it: sequences of requests, indications, ChannelData,
// raw and damaged packets from several clients (some with credentials that are wrong or
// forged), packets from peers, and time passing — through the same harness the unit
// tests use (tests/turn/turn_harness.hpp: the real TurnServer, pool, quotas and
// reservations). After every step:
//   - no allocation belongs to a client that never authenticated;
//   - nothing is relayed to a peer the policy refuses or without a permission;
//   - the per-user and total quotas are never exceeded;
//   - an answer to an unauthenticated request is at most 2.5 times its size.
#include <cstdint>

#include "stun/attributes.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/turn/turn_harness.hpp"
#include "turn/rest_credentials.hpp"

using namespace hallpass;
using namespace hallpass::turn;
using namespace hallpass::turn::testing;

namespace {

constexpr std::size_t user_quota = 3;
constexpr std::size_t total_quota = 6;

class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}
    bool empty() const { return n_ == 0; }
    std::uint8_t byte() {
        if (n_ == 0) return 0;
        --n_;
        return *p_++;
    }
    std::span<const std::uint8_t> take(std::size_t want) {
        const std::size_t k = std::min(want, n_);
        const std::span<const std::uint8_t> out(p_, k);
        p_ += k, n_ -= k;
        return out;
    }

private:
    const std::uint8_t* p_;
    std::size_t n_;
};

// Peers a client may name: permitted ones, refused ones in each form, our own listener.
const TransportAddress peers[] = {
    at("198.52.100.7:4000"), at("198.52.100.8:5000"), at("[2a00:1450::5]:3478"), at("10.0.0.1:5000"),
    at("127.0.0.1:3478"), at("[::ffff:192.168.1.1]:80"), at("[64:ff9b::a00:1]:5000"), at("[2002:7f00:1::]:1"),
    at("198.52.100.1:3478"), at("[fe80::1]:9"), at("169.254.169.254:80"), at("198.52.100.1:40000"),
};

struct Client {
    TurnClient turn;
    bool honest;  // holds real credentials
};

class Driver {
public:
    Driver() : h(options()) {
        const std::string student = rest_username(h.now.unix_seconds + 3600, "student-1");
        const std::string forged = rest_username(h.now.unix_seconds + 3600, "student-2");
        clients.push_back({TurnClient("alice", "alice-pw", 1), true});
        clients.push_back({TurnClient("bob", "bob-pw", 2), true});
        clients.push_back({TurnClient(student, rest_password(secret_one, student), 3), true});
        clients.push_back({TurnClient("alice", "guessed", 4), false});
        clients.push_back({TurnClient(forged, rest_password("not-our-secret", forged), 5), false});
    }

    void step(Input& in) {
        const std::uint8_t op = in.byte();
        const std::size_t who = in.byte() % clients.size();
        const alloc::FiveTuple from = tuple_of(who, in.byte());
        Client& c = clients[who];
        switch (op % 11) {
            case 0: return transact(c, from, [&] { return c.turn.allocate_request(h.out, allocate_options(in)); });
            case 1: return transact(c, from, [&] { return c.turn.refresh_request(h.out, lifetime_of(in.byte())); });
            case 2: {
                const auto& peer = peer_of(in.byte());
                return transact(c, from, [&] { return c.turn.create_permission_request(h.out, peer); });
            }
            case 3: {
                const auto channel = static_cast<std::uint16_t>(0x4000 + in.byte() % 8);
                const auto& peer = peer_of(in.byte());
                return transact(c, from, [&] { return c.turn.channel_bind_request(h.out, channel, peer); });
            }
            case 4: send(from, c.turn.send_indication(h.out, peer_of(in.byte()), in.take(in.byte() % 64))); return;
            case 5: {
                std::array<std::uint8_t, 300> buf{};
                const auto channel = static_cast<std::uint16_t>(0x4000 + in.byte() % 8);
                send(from, TurnClient::channel_data(buf, channel, in.take(in.byte())));
                return;
            }
            case 6: send(from, in.take(in.byte())); return;
            case 7: return damaged(c, from, in);
            case 8: return from_peer(in);
            case 9:
                h.advance(std::chrono::seconds(in.byte()));
                h.server.on_tick(h.now);
                h.host.book.expire_reservations(h.now.monotonic);
                return;
            default: return h.server.on_connection_closed(from, h.now);
        }
    }

    void check() {
        fuzz::require(h.server.allocation_count() <= total_quota, "more allocations than the total quota");
        fuzz::require(h.host.book.ledger().total() <= total_quota, "the ledger past the total quota");
        h.server.table().for_each([&](const alloc::Allocation& a) {
            fuzz::require(a.username == "alice" || a.username == "bob" || a.identity() == "student-1",
                          "an allocation for credentials that never authenticated");
            fuzz::require(h.host.book.ledger().of(a.identity()) <= user_quota, "a user past the per-user quota");
        });
    }

private:
    static HarnessOptions options() {
        HarnessOptions o;
        o.relay_range = "192.0.2.0/29";  // few addresses: the pool runs dry too
        o.user_quota = user_quota;
        o.total_quota = total_quota;
        o.own_endpoints = {"198.52.100.1:3478"};
        o.server.table = {4, 4};
        o.server.allocation_bandwidth = {100000};
        o.server.unauthenticated_replies = {50, 50, 200, 64};  // small table: quick to set up
        return o;
    }
    alloc::FiveTuple tuple_of(std::size_t who, std::uint8_t choice) const {
        return h.other_tuple(static_cast<std::uint16_t>(40000 + who * 4 + choice % 4));
    }
    static const TransportAddress& peer_of(std::uint8_t b) { return peers[b % std::size(peers)]; }
    static std::optional<std::uint32_t> lifetime_of(std::uint8_t b) {
        if (b % 4 == 0) return std::nullopt;
        return b % 4 == 1 ? 0u : static_cast<std::uint32_t>(b) * 20;
    }
    AllocateOptions allocate_options(Input& in) {
        const std::uint8_t bits = in.byte();
        AllocateOptions o;
        o.lifetime = lifetime_of(in.byte());
        o.even_port = bits & 1;
        o.reserve_next = bits & 2;
        o.dont_fragment = bits & 4;
        if (bits & 8) o.family = bits & 16 ? AddressFamily::ipv6 : AddressFamily::ipv4;
        if ((bits & 32) && last_token) o.reservation_token = last_token;
        if (bits & 64) o.transport = std::nullopt;
        return o;
    }

    template <class Build>
    void transact(Client& c, const alloc::FiveTuple& from, Build build) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            const auto request = build();
            if (request.empty()) return;
            const ClientAction a = send(from, request);
            if (a.kind != ClientAction::Kind::reply) return;
            const ClientResult r = c.turn.handle_response(a.bytes);
            if (r.reservation_token) last_token = r.reservation_token;
            if (r.kind != ClientResult::Kind::retry) return;
        }
    }

    void damaged(Client& c, const alloc::FiveTuple& from, Input& in) {
        std::vector<std::uint8_t> packet;
        switch (in.byte() % 3) {
            case 0: packet = bytes_of(c.turn.allocate_request(h.out)); break;
            case 1: packet = bytes_of(c.turn.channel_bind_request(h.out, 0x4000, peer_of(in.byte()))); break;
            default: packet = bytes_of(c.turn.create_permission_request(h.out, peer_of(in.byte()))); break;
        }
        for (int k = in.byte() % 4; k >= 0 && !packet.empty(); --k)
            packet[in.byte() % packet.size()] ^= static_cast<std::uint8_t>(1 + in.byte());
        if (in.byte() % 2) packet.resize(packet.size() - std::min<std::size_t>(packet.size(), in.byte() % 16));
        send(from, packet);
    }

    ClientAction send(const alloc::FiveTuple& from, std::span<const std::uint8_t> packet) {
        const ClientAction a = h.server.on_client_packet(from, packet, h.now, h.reply);
        if (a.kind == ClientAction::Kind::to_peer) {
            fuzz::require(h.policy.permits(a.peer), "relayed to a peer the policy refuses");
            fuzz::require(h.server.table().permitted(a.allocation, a.peer.ip, h.now.monotonic),
                          "relayed to a peer without a permission");
        }
        if (a.kind == ClientAction::Kind::reply) {
            const auto answer = stun::MessageView::parse(a.bytes);
            fuzz::require(answer.ok(), "an answer that does not parse");
            if (!answer->has(stun::AttributeType::message_integrity))
                fuzz::require(a.bytes.size() * 2 <= packet.size() * 5, "an unauthenticated answer over 2.5 times its request");
        }
        return a;
    }

    void from_peer(Input& in) {
        if (h.host.created.empty()) return;
        const auto payload = in.take(in.byte());
        std::copy(payload.begin(), payload.end(), h.peer_storage.begin() + peer_headroom);
        const auto id = h.host.created[in.byte() % h.host.created.size()];
        const auto& peer = peer_of(in.byte());
        const PeerAction a = h.server.on_peer_packet(id, peer, PeerPacket{h.peer_storage, peer_headroom, payload.size()}, h.now);
        if (a.deliver) fuzz::require(h.server.table().permitted(id, peer.ip, h.now.monotonic), "delivered from a peer without a permission");
    }

    Harness h;
    std::vector<Client> clients;
    std::optional<std::array<std::uint8_t, 8>> last_token;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Driver driver;
    Input in(data, size);
    for (int steps = 0; steps < 64 && !in.empty(); ++steps) {
        driver.step(in);
        driver.check();
    }
    return 0;
}
