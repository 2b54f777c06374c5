// The real binary over TCP and TLS on loopback (RFC 8656 §3.1, RFC 7443): relaying both
// ways, framing, connection hygiene, PROXY protocol, health checks on the TURN port, and a
// certificate reload that leaves open connections alone.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "stun/attributes.hpp"
#include "stun/message_builder.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"

namespace hallpass::testing {
namespace {

using Kind = turn::ClientResult::Kind;
using namespace std::chrono_literals;

const std::string users =
    "auth:\n  users: [{name: alice, password: wonderland}]\n"
    "peers:\n  allow: [\"127.0.0.0/8\"]\n";

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::unique_ptr<StreamTransport> connect(const TransportAddress& to, StreamOptions options = {}) {
    return std::make_unique<StreamTransport>(to, options);
}

TurnSession session(std::unique_ptr<StreamTransport> t) { return TurnSession(std::move(t), "alice", "wonderland"); }

// Allocates, binds channel 0x4000 to `peer`, and checks ChannelData both ways; the relayed
// address comes back through `relayed`.
void relay_both_ways(TurnSession& s, UdpEndpoint& peer, TransportAddress* relayed = nullptr) {
    auto a = s.allocate();
    ASSERT_EQ(a.kind, Kind::success);
    if (relayed) *relayed = *a.relayed;
    ASSERT_EQ(s.channel_bind(0x4000, peer.address()).kind, Kind::success);
    s.send_channel_data(0x4000, bytes("odd-sized!"));  // 10 bytes: padded on the stream
    auto at_peer = peer.receive();
    ASSERT_TRUE(at_peer);
    EXPECT_EQ(at_peer->bytes, bytes("odd-sized!"));
    peer.send_to(bytes("reply"), *a.relayed);
    turn::IncomingData meta;
    auto at_client = s.receive_data(meta);
    ASSERT_TRUE(at_client);
    EXPECT_EQ(*at_client, bytes("reply"));
    EXPECT_EQ(meta.channel, 0x4000);
}

class StreamRelay : public ::testing::Test {
protected:
    // No bandwidth limit here: these tests push media past the per-connection queue, and
    // the per-allocation budget would drop it first (see abuse_test.cpp for that limit).
    ServerProcess server{{users + "limits: {allocation_bps: 0}\n", 0, 500, true, true, true}};
    UdpEndpoint peer;
};

TEST_F(StreamRelay, RelaysOverTcp) {
    auto s = session(connect(server.tcp_address()));
    relay_both_ways(s, peer);
    EXPECT_TRUE(server.wait_for_log("transport=tcp", 2s));
}

TEST_F(StreamRelay, RelaysOverTlsWithAlpnStunTurn) {
    auto t = connect(server.tls_address(), {true, {"stun.turn"}, ""});
    ASSERT_TRUE(t->connected());
    EXPECT_EQ(t->negotiated_alpn(), "stun.turn");
    auto s = session(std::move(t));
    relay_both_ways(s, peer);
    EXPECT_TRUE(server.wait_for_log("transport=tls", 2s));
}

TEST_F(StreamRelay, TlsWorksWithoutAlpn) {
    auto t = connect(server.tls_address(), {true, {}, ""});
    ASSERT_TRUE(t->connected());
    auto s = session(std::move(t));
    relay_both_ways(s, peer);
}

TEST_F(StreamRelay, SendAndDataIndicationsOverTcp) {
    auto s = session(connect(server.tcp_address()));
    auto a = s.allocate();
    ASSERT_EQ(s.create_permission(peer.address()).kind, Kind::success);
    s.send_indication(peer.address(), bytes("indicated"));
    auto at_peer = peer.receive();
    ASSERT_TRUE(at_peer);
    EXPECT_EQ(at_peer->bytes, bytes("indicated"));
    peer.send_to(bytes("data"), *a.relayed);
    turn::IncomingData meta;
    EXPECT_EQ(s.receive_data(meta), bytes("data"));
    EXPECT_EQ(meta.peer, peer.address());
}

TEST_F(StreamRelay, ReadsMessagesSplitAnyWayAndSeveralPerWrite) {
    auto t = connect(server.tcp_address());
    auto* raw = t.get();
    TurnSession s(std::move(t), "alice", "wonderland");
    ASSERT_EQ(s.allocate().kind, Kind::success);
    // Two Binding requests in one write, then one byte by byte.
    std::array<std::uint8_t, 128> a{}, b{};
    auto first = s.client().binding_request(a);
    auto second = s.client().binding_request(b);
    std::vector<std::uint8_t> both(first.begin(), first.end());
    both.insert(both.end(), second.begin(), second.end());
    raw->send(both);
    for (int i = 0; i < 2; ++i) {
        auto answer = raw->receive(2s);
        ASSERT_TRUE(answer);
        EXPECT_EQ(s.client().handle_response(*answer).kind, Kind::success);
    }
    auto third = s.client().binding_request(a);
    for (std::uint8_t byte : third) raw->send(std::span<const std::uint8_t>(&byte, 1));
    auto answer = raw->receive(2s);
    ASSERT_TRUE(answer);
    EXPECT_EQ(s.client().handle_response(*answer).kind, Kind::success);
}

TEST_F(StreamRelay, InvalidFramingClosesOnlyThatConnection) {
    auto good = session(connect(server.tcp_address()));
    ASSERT_EQ(good.allocate().kind, Kind::success);
    auto bad = connect(server.tcp_address());
    // A STUN header whose length is not a multiple of 4 cannot be framed.
    const std::vector<std::uint8_t> junk = {0x00, 0x01, 0x00, 0x07, 0x21, 0x12, 0xa4, 0x42,
                                            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    bad->send(junk);
    EXPECT_TRUE(bad->closed_by_server(2s));
    EXPECT_EQ(good.refresh(600).kind, Kind::success);
}

TEST_F(StreamRelay, ClosingTheConnectionEndsTheAllocation) {
    {
        auto s = session(connect(server.tcp_address()));
        ASSERT_EQ(s.allocate().kind, Kind::success);
    }
    EXPECT_TRUE(server.wait_for_log("reason=connection-closed", 2s)) << server.log();
}

TEST_F(StreamRelay, AnswersHealthChecksOnTheTurnPorts) {
    for (bool tls : {false, true}) {
        auto t = connect(tls ? server.tls_address() : server.tcp_address(), {tls, {"http/1.1"}, ""});
        const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        t->send(bytes(get));
        const std::string reply = t->read_raw(2s);
        EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
        EXPECT_NE(reply.find("\r\n\r\nok"), std::string::npos) << reply;
        auto other = connect(tls ? server.tls_address() : server.tcp_address(), {tls, {}, ""});
        other->send(bytes("GET /nothing-here HTTP/1.1\r\n\r\n"));
        EXPECT_EQ(other->read_raw(2s).rfind("HTTP/1.1 404", 0), 0u);
    }
}

TEST_F(StreamRelay, ProxyProtocolV1GivesTheRealClientAddress) {
    auto t = connect(server.proxied_tcp_address(), {false, {}, "PROXY TCP4 203.0.113.7 127.0.0.1 5555 3478\r\n"});
    TurnSession s(std::move(t), "alice", "wonderland");
    auto r = s.allocate();
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_EQ(r.mapped->to_string(), "203.0.113.7:5555");
    EXPECT_TRUE(server.wait_for_log("client=203.0.113.7:5555", 2s));
}

TEST_F(StreamRelay, ProxyProtocolV2GivesTheRealClientAddress) {
    std::string header("\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A", 12);
    header += '\x21';  // version 2, PROXY
    header += '\x11';  // AF_INET, STREAM
    header += std::string("\x00\x0C", 2);
    header += std::string("\xC6\x33\x64\x09", 4);  // 198.51.100.9
    header += std::string("\x7F\x00\x00\x01", 4);
    header += std::string("\x1F\x90\x0D\x96", 4);  // 8080 → 3478
    auto t = connect(server.proxied_tcp_address(), {false, {}, header});
    TurnSession s(std::move(t), "alice", "wonderland");
    auto r = s.allocate();
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_EQ(r.mapped->to_string(), "198.51.100.9:8080");
}

TEST_F(StreamRelay, PeerFasterThanTheClientReadsDropsMediaForThatClientOnly) {
    // A client that stops reading, while a peer floods its allocation.
    auto slow = std::make_unique<TurnSession>(connect(server.tcp_address()), "alice", "wonderland");
    auto a = slow->allocate();
    ASSERT_EQ(a.kind, Kind::success);
    ASSERT_EQ(slow->channel_bind(0x4000, peer.address()).kind, Kind::success);
    // A second client relaying at the same time must be unaffected.
    UdpEndpoint other_peer;
    auto fine = session(connect(server.tcp_address()));
    auto b = fine.allocate();
    ASSERT_EQ(fine.channel_bind(0x4001, other_peer.address()).kind, Kind::success);

    const long baseline_kib = resident_kib(server.pid());
    const std::vector<std::uint8_t> video(1100, 0x5a);
    for (int i = 0; i < 30000; ++i) peer.send_to(video, *a.relayed);  // 33 MB at the slow client
    for (int i = 0; i < 20; ++i) {
        other_peer.send_to(bytes("frame"), *b.relayed);
        turn::IncomingData meta;
        auto got = fine.receive_data(meta);
        ASSERT_TRUE(got) << "packet " << i;
        EXPECT_EQ(*got, bytes("frame"));
    }
    // Memory stays bounded: the server did not queue 33 MB for the slow reader.
    const long grown = resident_kib(server.pid()) - baseline_kib;
    EXPECT_LT(grown, 16 * 1024) << "resident memory grew by " << grown << " KiB";
    slow.reset();  // closes the slow connection; its drops are reported then
    EXPECT_TRUE(server.wait_for_log("dropped_media_datagrams=", 3s)) << server.log();
}

TEST_F(StreamRelay, TlsClientThatStopsReadingGetsWholeRecordsWhenItReadsAgain) {
    // Over TLS a record the socket cannot take waits and is finished later from the queue,
    // while newer media is queued or dropped behind it. Everything the client then reads
    // must still decrypt and frame, and the connection must carry on.
    auto slow = std::make_unique<TurnSession>(connect(server.tls_address(), {true, {"stun.turn"}, ""}), "alice",
                                              "wonderland");
    auto a = slow->allocate();
    ASSERT_EQ(a.kind, Kind::success);
    ASSERT_EQ(slow->channel_bind(0x4000, peer.address()).kind, Kind::success);
    const std::vector<std::uint8_t> video(1100, 0x5a);
    for (int i = 0; i < 20000; ++i) peer.send_to(video, *a.relayed);  // 22 MB, far past the socket buffers
    std::atomic<bool> marker_seen{false};
    std::thread marker([&] {
        for (int i = 0; i < 500 && !marker_seen; ++i) {
            peer.send_to(bytes("marker"), *a.relayed);
            std::this_thread::sleep_for(20ms);
        }
    });
    int frames = 0;
    turn::IncomingData meta;
    while (!marker_seen) {
        auto got = slow->receive_data(meta);
        if (!got) break;
        if (*got == bytes("marker")) marker_seen = true;
        else if (*got == video) ++frames;
        else ADD_FAILURE() << "a frame of " << got->size() << " bytes that was never sent";
    }
    marker.join();
    EXPECT_TRUE(marker_seen);
    EXPECT_GT(frames, 100);
    EXPECT_EQ(slow->refresh(600).kind, Kind::success);
    // The queue bound was reached, so writes did wait for the socket on the way there.
    slow.reset();
    EXPECT_TRUE(server.wait_for_log("dropped_media_datagrams=", 3s)) << server.log();
}

TEST_F(StreamRelay, ATlsClientThatResetsWhileMediaFlowsCostsOnlyItsConnection) {
    // The client goes away with media unread, so its kernel answers with a reset and the
    // server's next TLS writes fail with EPIPE: that must close one connection, not end the
    // process with SIGPIPE.
    auto gone = std::make_unique<TurnSession>(connect(server.tls_address(), {true, {"stun.turn"}, ""}), "alice",
                                              "wonderland");
    auto a = gone->allocate();
    ASSERT_EQ(a.kind, Kind::success);
    ASSERT_EQ(gone->channel_bind(0x4000, peer.address()).kind, Kind::success);
    const std::vector<std::uint8_t> video(1100, 0x5a);
    for (int i = 0; i < 200; ++i) peer.send_to(video, *a.relayed);
    std::this_thread::sleep_for(100ms);  // the media reaches the client's socket, unread
    gone.reset();
    for (int i = 0; i < 2000; ++i) peer.send_to(video, *a.relayed);
    std::this_thread::sleep_for(200ms);
    ASSERT_EQ(::kill(server.pid(), 0), 0) << "the server is gone\n" << server.log();
    auto fine = session(connect(server.tls_address(), {true, {"stun.turn"}, ""}));
    relay_both_ways(fine, peer);
}

TEST(StreamLimits, PerIpConnectionLimitAndIdleTimeout) {
    ServerProcess server({users + "limits: {connections_per_ip: 2, idle_timeout: 2}\n", 0, 500, true});
    // With an allocation a connection stays past the idle timeout; without one it is closed.
    auto s = session(connect(server.tcp_address()));
    ASSERT_EQ(s.allocate().kind, Kind::success);
    auto two = connect(server.tcp_address());
    // A Binding answered on `two` shows it was admitted before `three` connects; the two
    // could otherwise land on different workers and be admitted in either order.
    TurnSession probe(std::move(two), "alice", "wonderland");
    ASSERT_EQ(probe.transact([](turn::TurnClient& c, std::span<std::uint8_t> b) { return c.binding_request(b); }).kind,
              Kind::success);
    auto three = connect(server.tcp_address());
    // A third from the same IP is over the limit: closed at once, not after the idle time.
    EXPECT_TRUE(three->closed_by_server(1s));
    auto* idle = dynamic_cast<StreamTransport*>(&probe.transport());
    EXPECT_TRUE(idle->closed_by_server(4s));  // idle, no allocation
    std::this_thread::sleep_for(2500ms);
    EXPECT_EQ(s.refresh(600).kind, Kind::success);
}

TEST(StreamTls, SighupLoadsANewCertificateAndKeepsOpenConnections) {
    ServerProcess server({users, 0, 500, false, true});
    UdpEndpoint peer;
    auto first_t = connect(server.tls_address(), {true, {"stun.turn"}, ""});
    const std::string before = first_t->peer_certificate_sha256();
    ASSERT_FALSE(before.empty());
    TurnSession first(std::move(first_t), "alice", "wonderland");
    TransportAddress relayed;
    relay_both_ways(first, peer, &relayed);

    // Renew: a new self-signed pair on the same paths, as certbot would write.
    std::filesystem::remove(server.certificate_path());
    std::filesystem::remove(server.private_key_path());
    const std::string make = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
                             "-subj /CN=renewed -keyout " + server.private_key_path() + " -out " +
                             server.certificate_path() + " 2>/dev/null";
    ASSERT_EQ(std::system(make.c_str()), 0);
    server.signal(SIGHUP);
    ASSERT_TRUE(server.wait_for_log("reload: generation 2 applied", 3s)) << server.log();

    auto second = connect(server.tls_address(), {true, {"stun.turn"}, ""});
    EXPECT_NE(second->peer_certificate_sha256(), before);
    // The connection opened before the reload still relays.
    peer.send_to(bytes("still here"), relayed);
    turn::IncomingData meta;
    EXPECT_EQ(first.receive_data(meta), bytes("still here"));
}

}  // namespace
}  // namespace hallpass::testing

namespace hallpass::testing {
namespace {

TEST(StreamTls, HandshakeThatNeverComesTimesOut) {
    ServerProcess server({users + "limits: {tls_handshake_timeout: 1}\n", 0, 500, false, true});
    auto silent = connect(server.tls_address(), {false, {}, ""});  // plain TCP: no ClientHello
    EXPECT_TRUE(silent->closed_by_server(3s));
}

TEST(StreamTls, AVideoStreamToAReadingClientLosesNothing) {
    // About 1.5 Mbit/s of 1,100-byte packets for two seconds, as a teacher's webcam sends,
    // to a TLS client that reads as fast as it can: the queue bound must never bite.
    ServerProcess server({users, 0, 500, false, true});
    UdpEndpoint media_server;
    auto s = session(connect(server.tls_address(), {true, {"stun.turn"}, ""}));
    auto a = s.allocate();
    ASSERT_EQ(a.kind, Kind::success);
    ASSERT_EQ(s.channel_bind(0x4000, media_server.address()).kind, Kind::success);
    std::vector<std::uint8_t> frame(1100, 0);
    constexpr int packets = 340;
    std::thread sender([&] {
        for (int i = 0; i < packets; ++i) {
            frame[0] = static_cast<std::uint8_t>(i);
            media_server.send_to(frame, *a.relayed);
            std::this_thread::sleep_for(std::chrono::microseconds(5800));
        }
    });
    int received = 0;
    turn::IncomingData meta;
    while (received < packets && s.receive_data(meta)) ++received;
    sender.join();
    EXPECT_EQ(received, packets);
    EXPECT_EQ(server.log().find("dropped_media_datagrams"), std::string::npos);
}

TEST(StreamPrivileges, DropsRootAfterBindingWhenUserIsSet) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
    ServerProcess server({users + "user: nobody\n", 0, 500, true});
    std::ifstream status("/proc/" + std::to_string(server.pid()) + "/status");
    std::string line;
    std::string uid;
    while (std::getline(status, line))
        if (line.rfind("Uid:", 0) == 0) uid = line;
    EXPECT_NE(uid.find("65534"), std::string::npos) << uid;
    EXPECT_NE(server.log().find("dropped root"), std::string::npos);
    auto s = session(connect(server.tcp_address()));
    EXPECT_EQ(s.allocate().kind, Kind::success);
}

}  // namespace
}  // namespace hallpass::testing

namespace hallpass::testing {
namespace {

TEST(StreamLimits, AClientThatDoesNotReadItsAnswersStopsBeingRead) {
    // Answers are never dropped, so the server stops reading a client whose answers pile
    // up: its requests back up into the client's own socket, and memory stays bounded.
    ServerProcess server({users + "limits: {stream_queue_bytes: 65536}\n", 0, 500, true});
    auto t = connect(server.tcp_address());
    TurnSession s(std::move(t), "alice", "wonderland");
    std::array<std::uint8_t, 64> buf{};
    auto request = s.client().binding_request(buf);
    std::vector<std::uint8_t> burst;
    for (int i = 0; i < 1000; ++i) burst.insert(burst.end(), request.begin(), request.end());
    // 200 MB of requests if nothing pushed back; the send times out once it does.
    auto& stream = dynamic_cast<StreamTransport&>(s.transport());
    const long baseline_kib = resident_kib(server.pid());
    std::size_t sent = 0;
    for (int i = 0; i < 10000 && stream.send_for(burst, 200ms); ++i) sent += burst.size();
    EXPECT_LT(sent, std::size_t{100} << 20) << "the server kept reading";
    const long grown = resident_kib(server.pid()) - baseline_kib;
    EXPECT_LT(grown, 16 * 1024) << "resident memory grew by " << grown << " KiB";
    // Another client is still served.
    auto other = session(connect(server.tcp_address()));
    EXPECT_EQ(other.allocate().kind, Kind::success);
}

}  // namespace
}  // namespace hallpass::testing
