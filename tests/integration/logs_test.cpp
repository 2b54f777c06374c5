// Logs that explain a failure, from the real binary: each refusal a real client meets leaves
// one line with the client, the user, the transport and the reason; a flood leaves a
// bounded number; and at debug level every request and answer is traced.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/integration/client_transport.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::testing {
namespace {

using Kind = turn::ClientResult::Kind;
using namespace std::chrono_literals;

const std::string auth_yaml =
    "auth:\n  users: [{name: alice, password: wonderland}]\n  secrets: [\"the-real-secret\"]\n"
    "limits: {allocations_per_user: 1}\n";

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

TEST(RefusalLogs, EachRefusalAClientMeetsHasItsLine) {
    ServerProcess server({auth_yaml, 0, 500, false, true});
    // A credential signed with a secret the server does not have.
    const std::string user = turn::rest_username(unix_now() + 3600, "student-1");
    TurnSession wrong(server.address(), user, turn::rest_password("a-wrong-secret", user));
    EXPECT_EQ(wrong.allocate().code, stun::ErrorCode::unauthenticated);
    EXPECT_TRUE(server.wait_for_log("user=" + user + " transport=udp reason=bad_credentials", 2s)) << server.log();

    const std::string old = turn::rest_username(unix_now() - 60, "student-2");
    TurnSession expired(server.address(), old, turn::rest_password("the-real-secret", old));
    EXPECT_EQ(expired.allocate().code, stun::ErrorCode::unauthenticated);
    EXPECT_TRUE(server.wait_for_log("user=" + old + " transport=udp reason=expired_username", 2s)) << server.log();

    TurnSession alice(server.address(), "alice", "wonderland");
    ASSERT_EQ(alice.allocate().kind, Kind::success);
    EXPECT_EQ(alice.create_permission({IpAddress::v4(10, 1, 2, 3), 4000}).code, stun::ErrorCode::forbidden);
    EXPECT_TRUE(server.wait_for_log("user=alice transport=udp reason=peer_forbidden peer=10.1.2.3:4000", 2s))
        << server.log();
    TurnSession again(server.address(), "alice", "wonderland");
    EXPECT_EQ(again.allocate().code, stun::ErrorCode::allocation_quota_reached);
    EXPECT_TRUE(server.wait_for_log("user=alice transport=udp reason=user_quota", 2s)) << server.log();

    // A TLS client that does not trust the self-signed certificate aborts the handshake, as
    // a browser does.
    const std::string s_client = "timeout 5 openssl s_client -verify_return_error -connect " +
                                 server.tls_address().to_string() + " < /dev/null > /dev/null 2>&1";
    EXPECT_NE(std::system(s_client.c_str()), 0);
    EXPECT_TRUE(server.wait_for_log("transport=tls reason=tls_handshake detail=\"tlsv1 alert unknown ca", 3s))
        << server.log();
}

TEST(RefusalLogs, AFloodOfBadRequestsLeavesABoundedNumberOfLines) {
    ServerProcess server{{auth_yaml}};
    TurnSession s(server.address(), "alice", "not-her-password");
    ASSERT_EQ(s.allocate().code, stun::ErrorCode::unauthenticated);  // learns realm and nonce
    std::array<std::uint8_t, 512> buf{};
    for (int i = 0; i < 10'000; ++i) s.transport().send(s.client().allocate_request(buf));
    // The last answers prove the server has handled the flood (answers are rate-limited).
    std::this_thread::sleep_for(500ms);
    server.drain();
    EXPECT_LE(count(server.log(), "refused "), 3u) << server.log().substr(0, 4000);
    EXPECT_GE(count(server.log(), "reason=bad_credentials"), 1u);
}

TEST(RefusalLogs, DebugTracesEachRequestAndAnswer) {
    ServerSettings settings{auth_yaml};
    settings.log_level = "debug";
    ServerProcess server(settings);
    TurnSession alice(server.address(), "alice", "wonderland");
    ASSERT_EQ(alice.allocate().kind, Kind::success);
    EXPECT_TRUE(server.wait_for_log("request Allocate client=" + alice.local_address().to_string() +
                                        " transport=udp user=alice", 2s))
        << server.log();
    EXPECT_TRUE(server.wait_for_log("answer Allocate client=" + alice.local_address().to_string() + ": error 401", 2s));
    EXPECT_TRUE(server.wait_for_log("answer Allocate client=" + alice.local_address().to_string() + ": success", 2s));
}

}  // namespace
}  // namespace hallpass::testing
