// The real binary, tried as an attacker on 3478 and 443 would, on loopback: each abuse is
// stopped and costs the server nothing it keeps. Sources in 127.0.0.0/8 stand in for
// different (or forged) client addresses: Linux answers on all of them on loopback.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "relay/socket_address.hpp"
#include "stun/attributes.hpp"
#include "stun/message_builder.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::testing {
namespace {

using Kind = turn::ClientResult::Kind;
using namespace std::chrono_literals;

const std::string auth_yaml =
    "auth:\n  users: [{name: alice, password: wonderland}]\n  secrets: [\"integration-secret\"]\n"
    "peers:\n  allow: [\"127.0.0.0/8\"]\n";

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Under ASan (the sanitizer build of this suite) freed memory waits in a quarantine on
// purpose, so resident memory says nothing there about leaks; the main build checks it.
constexpr bool memory_is_telling = !HALLPASS_SANITIZED;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::unique_ptr<StreamTransport> connect(const TransportAddress& to, StreamOptions options = {}) {
    return std::make_unique<StreamTransport>(to, options);
}

// ---- PROXY protocol ------------------------------------------------------------------

TEST(Abuse, APROXYHeaderFromAnUntrustedSourceIsRefused) {
    ServerSettings settings{auth_yaml};
    settings.proxied_tcp = true;
    settings.proxy_trusted = "\"10.0.0.0/8\"";
    ServerProcess server(settings);
    // Anyone who reaches the listener could otherwise claim to be any client.
    auto liar = connect(server.proxied_tcp_address(),
                        {false, {}, "PROXY TCP4 198.51.100.9 127.0.0.1 5000 3479\r\n", std::nullopt});
    ASSERT_TRUE(liar->connected());
    EXPECT_TRUE(liar->closed_by_server(3s));
    EXPECT_EQ(server.log().find("198.51.100.9"), std::string::npos);
}

TEST(Abuse, APROXYHeaderFromATrustedSourceIsBelieved) {
    ServerSettings settings{auth_yaml};
    settings.proxied_tcp = true;
    settings.proxy_trusted = "\"127.0.0.2/32\"";
    ServerProcess server(settings);
    const std::string header = "PROXY TCP4 198.51.100.9 127.0.0.1 5000 3479\r\n";
    auto untrusted = connect(server.proxied_tcp_address(), {false, {}, header, IpAddress::v4(127, 0, 0, 1)});
    EXPECT_TRUE(untrusted->closed_by_server(3s));
    TurnSession s(connect(server.proxied_tcp_address(), {false, {}, header, IpAddress::v4(127, 0, 0, 2)}), "alice",
                  "wonderland");
    const auto r = s.allocate();
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_EQ(r.mapped->to_string(), "198.51.100.9:5000");
}

// ---- connection limits before the expensive work ---------------------------------------

TEST(Abuse, SilentConnectionsFromOneAddressCannotFillTheServer) {
    ServerSettings settings{auth_yaml + "limits: {connections_per_ip: 20, connections_total: 30, tls_handshake_timeout: 5}\n"};
    settings.tls = true;
    ServerProcess server(settings);
    const long before = resident_kib(server.pid());
    // Connections that never send a byte: no ClientHello, nothing to frame.
    std::vector<std::unique_ptr<StreamTransport>> silent;
    for (int i = 0; i < 40; ++i)
        silent.push_back(connect(server.tls_address(), {false, {}, "", IpAddress::v4(127, 0, 0, 1)}));
    // The ones past the per-address limit are closed at once, before any TLS work.
    int closed = 0;
    for (auto& c : silent) closed += c->closed_by_server(200ms);
    EXPECT_GE(closed, 20);
    // Silent ones cost the server no buffers and no TLS state: a few KiB each at most.
    if (memory_is_telling) {
        EXPECT_LT(resident_kib(server.pid()) - before, 20 * 64);
    }
    // Another address still gets in, all the way to an allocation over TLS.
    TurnSession other(connect(server.tls_address(), {true, {"stun.turn"}, "", IpAddress::v4(127, 0, 0, 2)}), "alice",
                      "wonderland");
    EXPECT_EQ(other.allocate().kind, Kind::success);
    // And the silent ones are closed at the handshake timeout, giving their places back.
    for (auto& c : silent) EXPECT_TRUE(c->closed_by_server(7s));
    TurnSession again(connect(server.tls_address(), {true, {"stun.turn"}, "", IpAddress::v4(127, 0, 0, 1)}), "alice",
                      "wonderland");
    EXPECT_EQ(again.allocate().kind, Kind::success);
}

TEST(Abuse, ATlsHandshakeFloodFromOneAddressLeavesOthersServed) {
    ServerSettings settings{auth_yaml + "limits: {connections_per_ip: 50}\n"};
    settings.tls = true;
    ServerProcess server(settings);
    std::atomic<int> handshakes{0};
    std::atomic<int> attempts{0};
    // 400 full handshakes, as fast as one client can make them (10 s at most).
    std::thread flood([&] {
        const auto until = std::chrono::steady_clock::now() + 10s;
        while (attempts < 400 && std::chrono::steady_clock::now() < until) {
            auto c = connect(server.tls_address(), {true, {"stun.turn"}, "", IpAddress::v4(127, 0, 0, 1)});
            ++attempts;
            handshakes += c->connected();
        }
    });
    while (attempts < 10) std::this_thread::sleep_for(1ms);
    std::vector<std::chrono::milliseconds> times;
    for (int i = 0; i < 5; ++i) {
        const auto start = std::chrono::steady_clock::now();
        TurnSession s(connect(server.tls_address(), {true, {"stun.turn"}, "", IpAddress::v4(127, 0, 0, 3)}), "alice",
                      "wonderland");
        EXPECT_EQ(s.allocate().kind, Kind::success);
        times.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start));
    }
    const int during = attempts;
    flood.join();
    EXPECT_LT(during, 400) << "the flood was over before the others tried";
    EXPECT_EQ(handshakes.load(), attempts.load());
    for (auto t : times) EXPECT_LT(t, 2000ms);
}

// ---- a forged-source flood over UDP ----------------------------------------------------

TEST(Abuse, AForgedSourceFloodCostsNoMemoryAndNoMedia) {
    ServerProcess server({auth_yaml});
    UdpEndpoint peer;
    TurnSession s(server.address(), "alice", "wonderland");
    const auto a = s.allocate();
    ASSERT_EQ(a.kind, Kind::success);
    ASSERT_EQ(s.channel_bind(0x4000, peer.address()).kind, Kind::success);
    const long before = resident_kib(server.pid());

    // 2000 sources in 127.1.0.0/16 and 127.2.0.0/16, 20 unauthenticated requests each,
    // of every kind that earns an answer, while media flows for the real client.
    std::atomic<bool> flooding{true};
    std::thread flood([&] {
        turn::TurnClient anyone("", "", 1);
        std::array<std::uint8_t, 256> buf{};
        for (int src = 0; src < 2000 && flooding; ++src) {
            UdpEndpoint forged(IpAddress::v4(127, static_cast<std::uint8_t>(1 + src / 1000),
                                             static_cast<std::uint8_t>(src % 1000 / 4), static_cast<std::uint8_t>(1 + src % 4)));
            for (int k = 0; k < 5; ++k) {
                forged.send_to(anyone.allocate_request(buf), server.address());
                forged.send_to(anyone.binding_request(buf), server.address());
                forged.send_to(anyone.create_permission_request(buf, peer.address()), server.address());
                forged.send_to(bytes("\x40\x00\x00\x04junk"), server.address());
            }
        }
    });
    int sent = 0, received = 0;
    const std::vector<std::uint8_t> media(160, 0x33);
    turn::IncomingData meta;
    for (int i = 0; i < 300; ++i) {
        s.send_channel_data(0x4000, media);
        if (peer.receive(1s)) ++sent;
        peer.send_to(media, *a.relayed);
        if (s.receive_data(meta)) ++received;
    }
    flooding = false;
    flood.join();
    EXPECT_EQ(sent, 300);
    EXPECT_EQ(received, 300);
    const long after = resident_kib(server.pid());
    // No state per unauthenticated source: the answer limiter's table is fixed in size.
    if (memory_is_telling) {
        EXPECT_LT(after - before, 4096) << before << " KiB before, " << after << " after";
    }
    EXPECT_EQ(s.refresh(600).kind, Kind::success);
}

// ---- churn -------------------------------------------------------------------------------

TEST(Abuse, AllocationChurnReturnsFilesAndMemoryToTheirBaseline) {
    ServerProcess server({auth_yaml});
    UdpEndpoint peer;
    auto churn = [&](int rounds) {
        for (int i = 0; i < rounds; ++i) {
            TurnSession s(server.address(), "alice", "wonderland");
            const auto a = s.allocate();
            ASSERT_EQ(a.kind, Kind::success) << "round " << i;
            ASSERT_EQ(s.channel_bind(0x4000, peer.address()).kind, Kind::success);
            s.send_channel_data(0x4000, bytes("ping"));
            ASSERT_TRUE(peer.receive(1s));
            ASSERT_EQ(s.refresh(0).kind, Kind::success);
            if (i % 50 == 0) server.drain();
        }
        server.drain();
    };
    churn(200);  // the worker's tables and the allocator reach their working size
    const std::size_t files = open_files(server.pid());
    const long memory = resident_kib(server.pid());
    churn(3000);
    EXPECT_EQ(open_files(server.pid()), files);
    if (memory_is_telling) {
        EXPECT_LT(resident_kib(server.pid()) - memory, 2048) << memory << " KiB before";
    }
}

// ---- DONT-FRAGMENT on the relay socket ----------------------------------------------------

// The server's own socket bound to `address`, duplicated into this process (pidfd_getfd,
// Linux 5.6) so its options can be read; -1 when none is found.
int server_socket_bound_to(pid_t pid, const TransportAddress& address) {
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) return -1;
    int found = -1;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        const int target = std::stoi(entry.path().filename());
        const int fd = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, target, 0));
        if (fd < 0) continue;
        sockaddr_storage local{};
        socklen_t len = sizeof local;
        int type = 0;
        socklen_t type_len = sizeof type;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
            ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) == 0 && type == SOCK_DGRAM &&
            relay::from_socket_address(local) == address) {
            found = fd;
            break;
        }
        ::close(fd);
    }
    ::close(pidfd);
    return found;
}

TEST(Abuse, DontFragmentSetsDfOnTheAllocationsRelaySocket) {
    ServerProcess server({auth_yaml});
    TurnSession with(server.address(), "alice", "wonderland");
    turn::AllocateOptions df;
    df.dont_fragment = true;
    const auto a = with.allocate(df);
    ASSERT_EQ(a.kind, Kind::success);
    TurnSession without(server.address(), "alice", "wonderland");
    const auto b = without.allocate();
    ASSERT_EQ(b.kind, Kind::success);

    const int fd_with = server_socket_bound_to(server.pid(), *a.relayed);
    const int fd_without = server_socket_bound_to(server.pid(), *b.relayed);
    ASSERT_GE(fd_with, 0) << "cannot read the server's sockets here (pidfd_getfd): " << std::strerror(errno);
    ASSERT_GE(fd_without, 0);
    int mode = -1;
    socklen_t len = sizeof mode;
    ASSERT_EQ(::getsockopt(fd_with, IPPROTO_IP, IP_MTU_DISCOVER, &mode, &len), 0);
    EXPECT_EQ(mode, IP_PMTUDISC_DO);
    ASSERT_EQ(::getsockopt(fd_without, IPPROTO_IP, IP_MTU_DISCOVER, &mode, &len), 0);
    EXPECT_NE(mode, IP_PMTUDISC_DO);
    ::close(fd_with);
    ::close(fd_without);
}

// ---- per-allocation bandwidth ---------------------------------------------------------------

TEST(Abuse, OneAllocationCannotTakeMoreThanItsBandwidth) {
    // 2 Mbit/s: 250 kB/s, with a burst of a second's worth.
    ServerProcess server({auth_yaml + "limits: {allocation_bps: 2000000}\n"});
    UdpEndpoint peer;
    TurnSession s(server.address(), "alice", "wonderland");
    const auto a = s.allocate();
    ASSERT_EQ(a.kind, Kind::success);
    ASSERT_EQ(s.channel_bind(0x4000, peer.address()).kind, Kind::success);
    // 8 Mbit/s offered for 2 s: 1666 datagrams of 1200 bytes, paced.
    const std::vector<std::uint8_t> video(1200, 0x5a);
    std::thread sender([&] {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 1666; ++i) {  // the client reads meanwhile: nothing waits in its socket
            peer.send_to(video, *a.relayed);
            std::this_thread::sleep_until(start + std::chrono::microseconds(1200 * i));
        }
    });
    int received = 0;
    turn::IncomingData meta;
    while (s.receive_data(meta)) ++received;  // until 2 s of silence after the last
    sender.join();
    // At most a burst and two seconds of rate (625 datagrams), and surely more than half.
    EXPECT_LE(received, 660);
    EXPECT_GE(received, 350);
    EXPECT_EQ(s.refresh(0).kind, Kind::success);
    EXPECT_TRUE(server.wait_for_log("over_rate_to_client=", 3s));
    EXPECT_EQ(server.log().find("over_rate_to_client=0 "), std::string::npos) << server.log();
}

TEST(Abuse, ClassroomVideoUnderTheDefaultLimitPassesWhole) {
    ServerProcess server({auth_yaml});  // the default 20 Mbit/s
    UdpEndpoint peer;
    TurnSession s(server.address(), "alice", "wonderland");
    const auto a = s.allocate();
    ASSERT_EQ(a.kind, Kind::success);
    ASSERT_EQ(s.channel_bind(0x4000, peer.address()).kind, Kind::success);
    // About 2 s of a 1.5 Mbit/s stream, with a 60-packet key frame in one go at the start.
    const std::vector<std::uint8_t> video(1200, 0x5a);
    std::thread sender([&] {
        for (int i = 0; i < 60; ++i) peer.send_to(video, *a.relayed);
        for (int i = 0; i < 300; ++i) {
            peer.send_to(video, *a.relayed);
            std::this_thread::sleep_for(6400us);
        }
    });
    int received = 0;
    turn::IncomingData meta;
    while (received < 360 && s.receive_data(meta)) ++received;
    sender.join();
    EXPECT_EQ(received, 360);
}

// ---- logs that cannot be forged ------------------------------------------------------------

// A shared-secret user id is anything the web app puts there, and the client sends it back.
const std::string hostile_id = "x\n2026-01-01 00:00:00.000 info allocation created user=admin\"}\\\xff\x01";

std::unique_ptr<TurnSession> hostile_session(const ServerProcess& server) {
    const std::string user = turn::rest_username(unix_now() + 3600, hostile_id);
    return std::make_unique<TurnSession>(server.address(), user, turn::rest_password("integration-secret", user));
}

TEST(Abuse, JsonLogLinesStayValidJsonWhateverTheUsername) {
    ServerSettings settings{auth_yaml};
    settings.log_format = "json";
    ServerProcess server(settings);
    {
        auto s = hostile_session(server);
        ASSERT_EQ(s->allocate().kind, Kind::success);
        ASSERT_EQ(s->refresh(0).kind, Kind::success);
    }
    ASSERT_TRUE(server.wait_for_log("allocation ended", 3s)) << server.log();
    std::istringstream lines(server.log());
    std::string line;
    int parsed = 0, allocation_lines = 0;
    while (std::getline(lines, line)) {
        boost::system::error_code ec;
        const auto value = boost::json::parse(line, ec);
        ASSERT_FALSE(ec) << "not JSON: " << line;
        const auto& object = value.as_object();
        EXPECT_TRUE(object.contains("time") && object.contains("level") && object.contains("msg")) << line;
        const std::string_view msg = object.at("msg").as_string();
        allocation_lines += msg.find("allocation created") != std::string_view::npos;
        ++parsed;
    }
    EXPECT_GT(parsed, 5);
    EXPECT_EQ(allocation_lines, 1) << "a forged allocation line: " << server.log();
}

TEST(Abuse, TextLogLinesCannotBeForgedByAUsername) {
    ServerProcess server({auth_yaml});
    {
        auto s = hostile_session(server);
        ASSERT_EQ(s->allocate().kind, Kind::success);
        ASSERT_EQ(s->refresh(0).kind, Kind::success);
    }
    ASSERT_TRUE(server.wait_for_log("allocation ended", 3s)) << server.log();
    std::istringstream lines(server.log());
    std::string line;
    int created = 0;
    while (std::getline(lines, line)) {
        EXPECT_EQ(line.find('\x01'), std::string::npos);
        EXPECT_EQ(line.find('\xff'), std::string::npos);
        if (line.find("allocation created") != std::string::npos) {
            ++created;
            // The forged words are there, but inside the username's one escaped token.
            EXPECT_EQ(line.find(" user=admin"), std::string::npos) << line;
            EXPECT_NE(line.find("\\x20user=admin"), std::string::npos) << line;
        }
    }
    EXPECT_EQ(created, 1) << server.log();
}

// ---- the development config and the start-up checks ---------------------------------------

// Runs the binary to its exit and returns (status, output).
std::pair<int, std::string> run_hallpass(const std::vector<std::string>& args) {
    std::string command = HALLPASS_BINARY;
    for (const auto& a : args) command += " '" + a + "'";
    command += " 2>&1";
    FILE* out = ::popen(command.c_str(), "r");
    std::string text;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, out)) text.append(buf, n);
    const int status = ::pclose(out);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

TEST(Abuse, TheBundledConfigWillNotFaceANetwork) {
    const std::string config = std::string(HALLPASS_SOURCE_DIR) + "/config/hallpass.default.yaml";
    const auto [status, out] = run_hallpass({"serve", "--config", config, "--set", "listen.udp=0.0.0.0:34780"});
    EXPECT_EQ(status, 2) << out;
    EXPECT_NE(out.find("the development credentials are public"), std::string::npos) << out;
    EXPECT_NE(out.find("unsafe_development_config_on_network"), std::string::npos) << out;
    const auto [check_status, check_out] =
        run_hallpass({"check-config", config, "--set", "relay.ranges=192.0.2.0/24"});
    EXPECT_EQ(check_status, 2) << check_out;
}

TEST(Abuse, TheTryItLineIsForTheBundledSecretOnlyAndShortLived) {
    ServerProcess dev({"auth: {secrets: [\"hallpass-dev-secret-change-me\"]}\n"});
    ASSERT_TRUE(dev.wait_for_log("try it:", 2s)) << dev.log();
    const std::string key = "\"username\": \"";
    const auto at = dev.log().find(key);
    ASSERT_NE(at, std::string::npos) << dev.log();
    const std::int64_t expiry = std::stoll(dev.log().substr(at + key.size()));
    EXPECT_LE(expiry, unix_now() + 3600);
    EXPECT_GT(expiry, unix_now() + 3000);
    ServerProcess real({auth_yaml});
    EXPECT_EQ(real.log().find("try it:"), std::string::npos) << real.log();
}

TEST(Abuse, RunningAsRootWithoutAUserIsPointedOut) {
    ServerProcess server({auth_yaml});
    const bool warned = server.log().find("running as root with no `user:` set") != std::string::npos;
    EXPECT_EQ(warned, ::geteuid() == 0) << server.log();
}

}  // namespace
}  // namespace hallpass::testing

namespace hallpass::testing {
namespace {

TEST(Abuse, SecretsComeFromAFileNotTheCommandLine) {
    // A secret in argv is visible to every user of the host (ps); a file can be 0600.
    const std::string dir = "/tmp/hallpass-secret-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    const std::string file = dir + "/secrets";
    std::ofstream(file) << "# newest first\nfrom-a-file\nolder\n";
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const auto [status, out] = run_hallpass({"credentials", "--secret-file", file, "--user", "student-9", "--ttl", "600"});
    ASSERT_EQ(status, 0) << out;
    const auto value = boost::json::parse(out).as_object();
    const std::string username(value.at("username").as_string());
    EXPECT_EQ(std::string(value.at("credential").as_string()), turn::rest_password("from-a-file", username));

    // The server takes the same file, and accepts what `credentials` printed.
    ServerProcess server({"auth: {secrets_file: " + file + "}\npeers: {allow: [\"127.0.0.0/8\"]}\n"});
    TurnSession s(server.address(), username, std::string(value.at("credential").as_string()));
    EXPECT_EQ(s.allocate().kind, Kind::success);
    EXPECT_NE(server.log().find("(some from " + file + ")"), std::string::npos);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hallpass::testing
