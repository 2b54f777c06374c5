#include "bench/options.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hallpass::bench {
namespace {

std::variant<Options, std::string> parse(std::vector<std::string_view> args) { return parse_options(args); }

std::string error_of(std::vector<std::string_view> args) {
    auto r = parse(std::move(args));
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
}

TEST(BenchOptions, ParsesAFullSaturateLine) {
    auto r = parse({"saturate", "--server", "127.0.0.1:3478", "--transport", "tcp", "--user", "u", "--password", "p",
                    "--allocations", "200", "--payload", "200", "--duration", "5", "--window", "4", "--topology",
                    "pairs", "--json", "--quiet"});
    ASSERT_TRUE(std::holds_alternative<Options>(r)) << std::get<std::string>(r);
    const auto& o = std::get<Options>(r);
    EXPECT_EQ(o.scenario, Scenario::saturate);
    EXPECT_EQ(o.server.to_string(), "127.0.0.1:3478");
    EXPECT_EQ(o.transport, Transport::tcp);
    EXPECT_EQ(o.allocations, 200u);
    EXPECT_EQ(o.payload, 200u);
    EXPECT_DOUBLE_EQ(o.duration_s, 5.0);
    EXPECT_EQ(o.window, 4u);
    EXPECT_EQ(o.topology, Topology::pairs);
    EXPECT_TRUE(o.json);
    EXPECT_TRUE(o.quiet);
}

TEST(BenchOptions, SecretAloneIsEnough) {
    auto r = parse({"burst", "--server", "[::1]:3478", "--secret", "s"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    EXPECT_EQ(std::get<Options>(r).allocations, 1000u);  // burst's default
}

TEST(BenchOptions, ClassroomDerivesAllocations) {
    auto r = parse({"classroom", "--server", "127.0.0.1:3478", "--secret", "s", "--classrooms", "3"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    EXPECT_EQ(std::get<Options>(r).allocations, 3u * 30u * 2u);
}

TEST(BenchOptions, ErrorsNameTheProblem) {
    EXPECT_EQ(error_of({}), "missing SCENARIO");
    EXPECT_EQ(error_of({"flood"}), "unknown scenario 'flood'");
    EXPECT_EQ(error_of({"burst", "--secret", "s"}), "--server ADDRESS:PORT is required");
    EXPECT_EQ(error_of({"burst", "--server", "127.0.0.1:1"}),
              "credentials needed: --user U --password P, or --secret S");
    EXPECT_EQ(error_of({"burst", "--server", "127.0.0.1:1", "--user", "u", "--password", "p", "--secret", "s"}),
              "give either --user/--password or --secret, not both");
    EXPECT_EQ(error_of({"burst", "--server", "nowhere"}), "bad value 'nowhere' for --server");
    EXPECT_EQ(error_of({"burst", "--server", "127.0.0.1:1", "--secret", "s", "--payload", "10"}),
              "bad value '10' for --payload (24..1400)");
    EXPECT_EQ(error_of({"burst", "--server", "127.0.0.1:1", "--secret", "s", "--bogus", "1"}), "unknown option --bogus");
    EXPECT_EQ(error_of({"burst", "--server"}), "--server needs a value");
    EXPECT_EQ(error_of({"memory", "--server", "127.0.0.1:1", "--secret", "s"}), "memory needs --server-pid PID");
    EXPECT_EQ(error_of({"saturate", "--server", "127.0.0.1:1", "--secret", "s", "--topology", "pairs",
                        "--allocations", "3"}),
              "--topology pairs needs an even --allocations");
    EXPECT_EQ(error_of({"saturate", "--help"}), "help");
}

// A load generator pointed at someone else's server is an attack: off loopback it needs
// the owner's explicit --remote, and its peers need an address the server may relay to.
TEST(BenchOptions, AServerOffLoopbackIsRefusedWithoutRemote) {
    for (std::string_view server : {"10.0.0.5:3478", "192.0.2.7:443", "[2001:db8::1]:3478", "[::ffff:10.0.0.5]:3478"}) {
        const std::string e = error_of({"burst", "--server", server, "--secret", "s"});
        EXPECT_NE(e.find("is not on loopback"), std::string::npos) << server << ": " << e;
        EXPECT_NE(e.find("--remote"), std::string::npos) << e;
    }
    // Loopback of either family, IPv4-mapped included, needs nothing.
    for (std::string_view server : {"127.0.0.1:3478", "127.9.9.9:1", "[::1]:3478", "[::ffff:127.0.0.1]:3478"})
        EXPECT_EQ(error_of({"burst", "--server", server, "--secret", "s"}), "") << server;
    // A mapped address is taken as the IPv4 one, so the bench's sockets are of its family.
    auto mapped = parse({"burst", "--server", "[::ffff:127.0.0.1]:3478", "--secret", "s"});
    ASSERT_TRUE(std::holds_alternative<Options>(mapped));
    EXPECT_EQ(std::get<Options>(mapped).server.to_string(), "127.0.0.1:3478");
    EXPECT_EQ(error_of({"burst", "--server", "127.0.0.1:1", "--secret", "s", "--peer-address", "10.0.0.2"}),
              "--peer-address 10.0.0.2 is not on loopback: that needs --remote");
}

TEST(BenchOptions, RemoteNeedsAPeerAddressWhereTheScenarioHasPeers) {
    const std::vector<std::string_view> base{"--server", "10.0.0.5:3478", "--secret", "s", "--remote"};
    auto with = [&](std::vector<std::string_view> front, std::vector<std::string_view> extra = {}) {
        front.insert(front.end(), base.begin(), base.end());
        front.insert(front.end(), extra.begin(), extra.end());
        return front;
    };
    EXPECT_EQ(error_of(with({"burst"})), "");
    EXPECT_EQ(error_of(with({"saturate"}, {"--topology", "pairs"})), "");
    EXPECT_EQ(error_of(with({"classroom"})),
              "classroom against a remote server needs --peer-address ADDRESS: an address of this machine that the "
              "server can reach and its peer policy allows (--topology pairs and burst need none)");
    EXPECT_NE(error_of(with({"saturate"})).find("needs --peer-address"), std::string::npos);
    EXPECT_NE(error_of(with({"latency"})).find("needs --peer-address"), std::string::npos);
    EXPECT_EQ(error_of(with({"classroom"}, {"--peer-address", "2001:db8::2"})),
              "--peer-address and --server must be of one address family");
    EXPECT_EQ(error_of(with({"classroom"}, {"--peer-address", "nowhere"})), "bad value 'nowhere' for --peer-address");

    auto r = parse(with({"classroom"}, {"--peer-address", "10.0.0.9"}));
    ASSERT_TRUE(std::holds_alternative<Options>(r)) << std::get<std::string>(r);
    const auto& o = std::get<Options>(r);
    EXPECT_TRUE(o.remote);
    EXPECT_EQ(peer_bind_address(o).to_string(), "10.0.0.9:0");
}

TEST(BenchOptions, MixAndThreadsAreForClassroomsAndCapacity) {
    auto r = parse({"capacity", "--server", "127.0.0.1:3478", "--secret", "s", "--mix", "udp=70,tcp=10,tls=20",
                    "--threads", "4", "--tls-server", "127.0.0.1:5349", "--max-classrooms", "20", "--max-loss", "0.5",
                    "--max-jitter", "20", "--max-p99", "80", "--html", "/tmp/c.html"});
    ASSERT_TRUE(std::holds_alternative<Options>(r)) << std::get<std::string>(r);
    const auto& o = std::get<Options>(r);
    EXPECT_EQ(mix_text(o), "udp 70 %, tcp 10 %, tls 20 %");
    EXPECT_EQ(o.threads, 4u);
    EXPECT_EQ(o.max_classrooms, 20u);
    EXPECT_DOUBLE_EQ(o.max_loss_percent, 0.5);
    // 30 students: 21 over UDP, 3 over TCP, 6 over TLS, in that order.
    std::array<int, 3> count{};
    for (std::uint32_t k = 0; k < 30; ++k) ++count[static_cast<std::size_t>(student_transport(o, k, 30))];
    EXPECT_EQ(count, (std::array<int, 3>{21, 3, 6}));
    EXPECT_EQ(student_transport(o, 0, 30), Transport::udp);
    EXPECT_EQ(student_transport(o, 29, 30), Transport::tls);

    const std::vector<std::string_view> base{"--server", "127.0.0.1:1", "--secret", "s"};
    auto with = [&](std::vector<std::string_view> v) {
        v.insert(v.begin() + 1, base.begin(), base.end());
        return v;
    };
    EXPECT_EQ(error_of(with({"classroom", "--mix", "udp=70,tcp=10"})),
              "bad value 'udp=70,tcp=10' for --mix (e.g. udp=70,tcp=10,tls=20, summing to 100)");
    EXPECT_NE(error_of(with({"classroom", "--mix", "udp=50,udp=50"})).find("bad value"), std::string::npos);
    EXPECT_NE(error_of(with({"classroom", "--mix", "dtls=100"})).find("bad value"), std::string::npos);
    EXPECT_EQ(error_of(with({"saturate", "--mix", "udp=100"})), "--mix is for classroom and capacity");
    EXPECT_EQ(error_of(with({"saturate", "--threads", "2"})), "--threads is for classroom and capacity");
    EXPECT_EQ(error_of(with({"classroom", "--threads", "0"})), "bad value '0' for --threads (1..64)");
    EXPECT_EQ(error_of(with({"classroom", "--html", "x.html"})), "--html is for capacity");
    EXPECT_EQ(error_of(with({"capacity", "--classrooms", "9", "--max-classrooms", "8"})),
              "--classrooms (where capacity starts) must not exceed --max-classrooms");
    EXPECT_NE(error_of(with({"capacity", "--tls-server", "10.0.0.1:443"})).find("needs --remote"), std::string::npos);
}

TEST(BenchOptions, PeersStayOnLoopbackByDefault) {
    auto v4 = parse({"classroom", "--server", "127.0.0.1:3478", "--secret", "s"});
    ASSERT_TRUE(std::holds_alternative<Options>(v4));
    EXPECT_EQ(peer_bind_address(std::get<Options>(v4)).to_string(), "127.0.0.1:0");
    auto v6 = parse({"classroom", "--server", "[::1]:3478", "--secret", "s"});
    ASSERT_TRUE(std::holds_alternative<Options>(v6));
    EXPECT_EQ(peer_bind_address(std::get<Options>(v6)).to_string(), "[::1]:0");
}

}  // namespace
}  // namespace hallpass::bench
