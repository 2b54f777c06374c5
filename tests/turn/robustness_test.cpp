// Junk from the network (DESIGN.md "Defaults that protect the host"): random bytes,
// truncated and bit-flipped requests never crash the core, and each gets either nothing or
// a well-formed STUN answer to the same transaction; an unauthenticated answer is never
// much larger than what it answers, nothing is relayed to a peer without a permission,
// and junk never makes or ends an allocation. (tests/fuzz/ drives the same invariants
// with coverage guidance.)
#include <random>

#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

// The answer, if any, parses and belongs to the request's transaction; a to_peer payload
// lies inside the packet it came from.
void expect_sane(const ClientAction& a, std::span<const std::uint8_t> packet) {
    switch (a.kind) {
        case ClientAction::Kind::drop: return;
        case ClientAction::Kind::reply: {
            auto answer = stun::MessageView::parse(a.bytes);
            ASSERT_TRUE(answer) << answer.error().to_string();
            auto request = stun::MessageView::parse(packet);
            ASSERT_TRUE(request);
            EXPECT_EQ(answer->transaction_id(), request->transaction_id());
            EXPECT_EQ(answer->method(), request->method());
            return;
        }
        case ClientAction::Kind::to_peer:
            EXPECT_GE(a.bytes.data(), packet.data());
            EXPECT_LE(a.bytes.data() + a.bytes.size(), packet.data() + packet.size());
            return;
    }
}

class TurnRobustness : public Allocated {
protected:
    void SetUp() override {
        Allocated::SetUp();
        ASSERT_EQ(h.bind(alice, 0x4000, peer).kind, Kind::success);
    }
    void feed(std::span<const std::uint8_t> packet) {
        SCOPED_TRACE(::testing::PrintToString(bytes_of(packet)));
        const ClientAction a = h.send(packet);
        expect_sane(a, packet);
        if (a.kind == ClientAction::Kind::reply) {
            const auto answer = stun::MessageView::parse(a.bytes);
            if (answer && !answer->has(stun::AttributeType::message_integrity)) {
                EXPECT_LE(a.bytes.size() * 2, packet.size() * 5) << "an unauthenticated answer of " << a.bytes.size();
            }
        }
        if (a.kind == ClientAction::Kind::to_peer) {
            EXPECT_TRUE(h.server.table().permitted(a.allocation, a.peer.ip, h.now.monotonic)) << a.peer.to_string();
        }
        EXPECT_EQ(h.server.allocation_count(), 1u);
    }
    std::mt19937_64 rng{2024};
};

TEST_F(TurnRobustness, RandomBytesNeverCrash) {
    Bytes packet;
    for (int i = 0; i < 5000; ++i) {
        packet.resize(rng() % 300);
        for (auto& b : packet) b = static_cast<std::uint8_t>(rng());
        feed(packet);
    }
}

TEST_F(TurnRobustness, RandomBodiesBehindValidStunHeaderNeverCrash) {
    Bytes packet;
    for (int i = 0; i < 5000; ++i) {
        const std::size_t body = (rng() % 64) * 4;
        packet.assign(20 + body, 0);
        for (auto& b : packet) b = static_cast<std::uint8_t>(rng());
        packet[0] &= 0x01;  // a STUN type: top two bits zero
        packet[2] = static_cast<std::uint8_t>(body >> 8);
        packet[3] = static_cast<std::uint8_t>(body);
        packet[4] = 0x21, packet[5] = 0x12, packet[6] = 0xA4, packet[7] = 0x42;
        // Plausible attribute headers now and then, so parsing gets past the framing.
        for (std::size_t at = 20; at + 4 <= packet.size() && rng() % 2; at += 8) {
            packet[at] = 0, packet[at + 1] = static_cast<std::uint8_t>(rng() % 0x30);
            packet[at + 2] = 0, packet[at + 3] = 4;
        }
        feed(packet);
    }
}

TEST_F(TurnRobustness, TruncatedAndBitFlippedRequestsNeverCrash) {
    const std::array<TransportAddress, 2> peers{peer, at("198.52.100.8:1")};
    AllocateOptions options;
    options.lifetime = 10;
    options.even_port = true;
    std::vector<Bytes> requests = {
        bytes_of(alice.binding_request(h.out)),
        bytes_of(alice.allocate_request(h.out, options)),
        bytes_of(alice.refresh_request(h.out, 1200)),
        bytes_of(alice.create_permission_request(h.out, peers)),
        bytes_of(alice.channel_bind_request(h.out, 0x4001, peer)),
        bytes_of(alice.send_indication(h.out, peer, bytes_of("data"))),
    };
    std::array<std::uint8_t, 16> buf{};
    requests.push_back(bytes_of(TurnClient::channel_data(buf, 0x4000, bytes_of("channel"))));
    for (const Bytes& request : requests) {
        for (std::size_t n = 0; n <= request.size(); ++n)
            feed(std::span<const std::uint8_t>(request).first(n));
        for (std::size_t bit = 0; bit < request.size() * 8; ++bit) {
            Bytes flipped = request;
            flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
            feed(flipped);
        }
    }
    // The core is still in one piece afterwards.
    EXPECT_EQ(h.refresh(alice, 600).kind, Kind::success);
}

TEST_F(TurnRobustness, ShortPeerBuffersAreDroppedNotOverrun) {
    std::array<std::uint8_t, 64> storage{};
    const PeerPacket no_headroom{storage, 0, 8};
    EXPECT_FALSE(h.server.on_peer_packet(h.host.created.back(), peer, no_headroom, h.now).deliver);
    const PeerPacket no_tailroom{storage, peer_headroom, storage.size() - peer_headroom};
    EXPECT_FALSE(h.server.on_peer_packet(h.host.created.back(), peer, no_tailroom, h.now).deliver);
}

}  // namespace
}  // namespace hallpass::turn::testing
