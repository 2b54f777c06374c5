// Draining the real binary: SIGUSR1 or POST /drain sends new allocations to the configured
// alternate (300 Try Alternate), turns /readyz to 503, keeps the allocations it has
// relaying and refreshing, and exits with status 0 once the last one ends — or when
// drain_timeout passes.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <sys/wait.h>

#include <boost/json.hpp>

#include "tests/integration/http_client.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"

namespace hallpass::testing {
namespace {

using Kind = turn::ClientResult::Kind;
using namespace std::chrono_literals;

const std::string draining_yaml =
    "auth:\n  users: [{name: alice, password: wonderland}, {name: bob, password: builder}]\n"
    "peers:\n  allow: [\"127.0.0.1/32\"]\n"
    "alternates:\n  udp: [\"127.0.0.1:3479\", \"127.0.0.1:3480\"]\n";

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Drain, SendsNewAllocationsToTheAlternateAndExitsWhenTheLastOneEnds) {
    ServerProcess server{{draining_yaml}};
    UdpEndpoint peer;
    TurnSession before(server.address(), "alice", "wonderland");
    const auto relayed = *before.allocate().relayed;
    ASSERT_EQ(before.channel_bind(0x4000, peer.address()).kind, Kind::success);
    EXPECT_EQ(http_request(server.admin_address(), "GET", "/readyz").status, 200);

    server.signal(SIGUSR1);
    ASSERT_TRUE(server.wait_for_log("draining: new allocations go to the alternates", 5s)) << server.log();
    EXPECT_EQ(http_request(server.admin_address(), "GET", "/readyz").status, 503);

    // New clients are sent on, in turn.
    TurnSession first(server.address(), "bob", "builder");
    const auto r1 = first.allocate();
    EXPECT_EQ(r1.code, stun::ErrorCode::try_alternate);
    TurnSession second(server.address(), "bob", "builder");
    const auto r2 = second.allocate();
    ASSERT_TRUE(r1.alternate_server && r2.alternate_server);
    EXPECT_NE(*r1.alternate_server, *r2.alternate_server);

    // The allocation made before goes on: refresh, permissions, data both ways.
    EXPECT_EQ(before.refresh(600).kind, Kind::success);
    EXPECT_EQ(before.create_permission(peer.address()).kind, Kind::success);
    before.send_channel_data(0x4000, bytes("still relaying"));
    auto at_peer = peer.receive();
    ASSERT_TRUE(at_peer);
    EXPECT_EQ(at_peer->bytes, bytes("still relaying"));
    peer.send_to(bytes("and back"), relayed);
    turn::IncomingData meta;
    EXPECT_EQ(before.receive_data(meta), bytes("and back"));
    EXPECT_FALSE(server.wait_exit(500ms)) << "exited while an allocation was left";

    ASSERT_EQ(before.refresh(0).kind, Kind::success);
    const auto status = server.wait_exit(5s);
    ASSERT_TRUE(status) << server.log();
    EXPECT_EQ(*status, 0);
    EXPECT_NE(server.log().find("drained: no allocations left"), std::string::npos) << server.log();
}

TEST(Drain, ThroughTheApiWithoutAlternatesNewAllocatesAre403AndTheTimeoutEndsIt) {
    ServerProcess server{{"auth:\n  users: [{name: alice, password: wonderland}]\ndrain_timeout: 1\n"}};
    TurnSession kept(server.address(), "alice", "wonderland");
    ASSERT_EQ(kept.allocate().kind, Kind::success);
    const auto answer = http_request(server.admin_address(), "POST", "/drain");
    ASSERT_EQ(answer.status, 200);
    const auto report = boost::json::parse(answer.body);
    EXPECT_EQ(report.at("allocations"), 1);
    EXPECT_EQ(report.at("started_now"), true);
    TurnSession late(server.address(), "alice", "wonderland");
    EXPECT_EQ(late.allocate().code, stun::ErrorCode::forbidden);
    const auto status = server.wait_exit(5s);
    ASSERT_TRUE(status) << server.log();
    EXPECT_EQ(*status, 0);
    EXPECT_NE(server.log().find("drain_timeout passed with 1 allocation(s) left"), std::string::npos) << server.log();
}

// `hallpass ctl drain --wait`, as a Kubernetes preStop hook runs it: it returns only once
// hallpass has exited, which it does when the last lesson's allocation ends.
TEST(Drain, CtlDrainWaitReturnsOnceTheServerHasStopped) {
    ServerProcess server{{"auth:\n  users: [{name: alice, password: wonderland}]\n"}};
    TurnSession lesson(server.address(), "alice", "wonderland");
    ASSERT_EQ(lesson.allocate().kind, Kind::success);
    const std::string command = std::string(HALLPASS_BINARY) + " ctl --admin http://" +
                                server.admin_address().to_string() + " drain --wait --timeout 30 2>&1";
    auto ctl = std::async(std::launch::async, [command] {
        std::string output;
        FILE* p = ::popen(command.c_str(), "r");
        if (!p) return std::pair{-1, output};
        char buffer[256];
        while (std::fgets(buffer, sizeof buffer, p)) output += buffer;
        const int status = ::pclose(p);
        return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
    });
    ASSERT_TRUE(server.wait_for_log("draining: new allocations go to the alternates", 5s)) << server.log();
    EXPECT_EQ(ctl.wait_for(1500ms), std::future_status::timeout) << "returned while a lesson was left";
    ASSERT_EQ(lesson.refresh(0).kind, Kind::success);
    const auto status = server.wait_exit(5s);
    ASSERT_TRUE(status) << server.log();
    ASSERT_EQ(ctl.wait_for(10s), std::future_status::ready);
    const auto [code, output] = ctl.get();
    EXPECT_EQ(code, 0) << output;
    EXPECT_NE(output.find("draining: 1 allocation(s) left"), std::string::npos) << output;
    EXPECT_NE(output.find("drained: hallpass has stopped"), std::string::npos) << output;
}

}  // namespace
}  // namespace hallpass::testing
