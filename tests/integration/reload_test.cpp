// Live reload of the real binary (SIGHUP): while allocations relay both ways, a reload adds
// a secret, removes another, allows a new peer and changes the log level — nothing relayed
// is lost, the new secret authenticates, the removed one gets 401, the new peer is reached —
// and a broken file changes nothing and names the key.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tests/integration/relaying.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::testing {
namespace {

using Kind = turn::ClientResult::Kind;
using namespace std::chrono_literals;

const std::string before_yaml =
    "auth:\n  secrets: [\"secret-a\", \"secret-b\"]\n"
    "peers:\n  allow: [\"127.0.0.1/32\"]\n";
const std::string after_yaml =
    "auth:\n  secrets: [\"secret-c\", \"secret-b\"]\n"
    "peers:\n  allow: [\"127.0.0.1/32\", \"127.0.0.2/32\"]\n";

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
}

std::unique_ptr<TurnSession> rest_session(const ServerProcess& server, const std::string& secret,
                                          const std::string& id) {
    const std::string user = turn::rest_username(unix_now() + 3600, id);
    return std::make_unique<TurnSession>(server.address(), user, turn::rest_password(secret, user));
}

// Replaces `from` with `to` in the server's config file, as an operator's edit would.
void edit_config(const ServerProcess& server, const std::string& from, const std::string& to) {
    std::stringstream text;
    text << std::ifstream(server.config_path()).rdbuf();
    std::string yaml = text.str();
    const auto at = yaml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    yaml.replace(at, from.size(), to);
    std::ofstream(server.config_path(), std::ios::trunc) << yaml;
}

TEST(Reload, UnderLoadNothingIsLostAndTheNewSettingsApply) {
    ServerProcess server{{before_yaml}};
    UdpEndpoint peer;
    UdpEndpoint new_peer(IpAddress::v4(127, 0, 0, 2));
    Relaying old_secret = relaying(rest_session(server, "secret-a", "student-a"), peer);
    Relaying kept_secret = relaying(rest_session(server, "secret-b", "student-b"), peer);
    EXPECT_EQ(kept_secret.session->create_permission(new_peer.address()).code, stun::ErrorCode::forbidden);

    edit_config(server, before_yaml, after_yaml);
    edit_config(server, "level: info", "level: debug");  // the base config's log line
    std::uint32_t n = 0;
    for (; n < 50; ++n) {
        ASSERT_TRUE(round_trip(old_secret, peer, n)) << "before, " << n;
        ASSERT_TRUE(round_trip(kept_secret, peer, n)) << "before, " << n;
    }
    server.signal(SIGHUP);
    // Media keeps flowing while the reload happens and after it.
    bool applied = false;
    for (int after = 0; after < 200; ++n) {
        ASSERT_TRUE(round_trip(old_secret, peer, n)) << n;
        ASSERT_TRUE(round_trip(kept_secret, peer, n)) << n;
        if (!applied) {
            server.drain();
            applied = server.log().find("reload: generation 2 applied") != std::string::npos;
        }
        if (applied) ++after;
        ASSERT_LT(n, 20000u) << "the reload never applied:\n" << server.log();
    }
    EXPECT_TRUE(server.wait_for_log("changed: auth.secrets, peers.allow, log.level", 1s)) << server.log();

    // The removed secret: 401 on the allocation's next request, even after the retry.
    EXPECT_EQ(old_secret.session->refresh(600).code, stun::ErrorCode::unauthenticated);
    EXPECT_EQ(kept_secret.session->refresh(600).kind, Kind::success);
    auto fresh = rest_session(server, "secret-c", "student-c");
    EXPECT_EQ(fresh->allocate().kind, Kind::success) << server.log();
    // The newly allowed peer is reached.
    ASSERT_EQ(kept_secret.session->create_permission(new_peer.address()).kind, Kind::success);
    kept_secret.session->send_indication(new_peer.address(), std::vector<std::uint8_t>{1, 2, 3});
    auto at_new_peer = new_peer.receive();
    ASSERT_TRUE(at_new_peer);
    EXPECT_EQ(at_new_peer->from, kept_secret.relayed);
}

TEST(Reload, ABrokenFileChangesNothingAndNamesTheKey) {
    ServerProcess server{{before_yaml}};
    edit_config(server, before_yaml, after_yaml);
    server.signal(SIGHUP);
    ASSERT_TRUE(server.wait_for_log("reload: generation 2 applied", 5s)) << server.log();

    edit_config(server, after_yaml, before_yaml + "limits: {allocations_per_user: -5}\n");
    server.signal(SIGHUP);
    ASSERT_TRUE(server.wait_for_log("reload failed, nothing changed (generation 2 stays): " +
                                    server.config_path() + ": limits.allocations_per_user: ", 5s))
        << server.log();
    // Generation 2 is still in force: secret-c works, secret-a (back in the broken file) does not.
    EXPECT_EQ(rest_session(server, "secret-c", "student-c")->allocate().kind, Kind::success);
    EXPECT_EQ(rest_session(server, "secret-a", "student-a")->allocate().code, stun::ErrorCode::unauthenticated);

    // Fixed again, it applies as generation 3.
    edit_config(server, "limits: {allocations_per_user: -5}\n", "");
    server.signal(SIGHUP);
    ASSERT_TRUE(server.wait_for_log("reload: generation 3 applied", 5s)) << server.log();
    EXPECT_EQ(rest_session(server, "secret-a", "student-a")->allocate().kind, Kind::success);
}

TEST(Reload, KeysThatNeedARestartAreNamedAndTheRestApplies) {
    ServerProcess server{{before_yaml}};
    edit_config(server, "workers: 2", "workers: 3");
    edit_config(server, before_yaml, after_yaml);
    server.signal(SIGHUP);
    ASSERT_TRUE(server.wait_for_log("reload: generation 2 applied", 5s)) << server.log();
    EXPECT_TRUE(server.wait_for_log("workers (2 -> 3) changed in " + server.config_path() + ": needs a restart", 1s))
        << server.log();
    EXPECT_EQ(rest_session(server, "secret-c", "student-c")->allocate().kind, Kind::success);
}

}  // namespace
}  // namespace hallpass::testing
