// The admin listener of the real binary: metrics that match known traffic exactly, clean for
// promtool and scraped by a real Prometheus; the bearer token; and the limits that keep
// whoever reaches the listener from tying it up.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "tests/integration/client_transport.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"

namespace hallpass::testing {
namespace {

using Kind = turn::ClientResult::Kind;
using namespace std::chrono_literals;

const std::string users =
    "auth:\n  users: [{name: alice, password: wonderland}]\n"
    "peers:\n  allow: [\"127.0.0.1/32\"]\n";

// The value of one sample, e.g. metric(text, "hallpass_allocations{transport=\"udp\"}"); -1 if absent.
double metric(const std::string& text, const std::string& sample) {
    const std::string line_start = sample + " ";
    for (std::size_t at = 0; (at = text.find(line_start, at)) != std::string::npos; at += line_start.size())
        if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + line_start.size()));
    return -1;
}

std::string metrics(const ServerProcess& server, const std::string& token = "") {
    auto a = http_request(server.admin_address(), "GET", "/metrics", token);
    EXPECT_EQ(a.status, 200);
    return a.body;
}

// Runs `command` with `input` on its standard input; returns its exit status and output.
std::pair<int, std::string> run_with_input(const std::string& command, const std::string& input) {
    const std::string file = std::filesystem::temp_directory_path() / ("hallpass-metrics-" + std::to_string(::getpid()));
    std::ofstream(file) << input;
    std::string output;
    FILE* p = ::popen((command + " < " + file + " 2>&1").c_str(), "r");
    char buf[512];
    while (p && std::fgets(buf, sizeof buf, p)) output += buf;
    const int status = p ? ::pclose(p) : -1;
    std::filesystem::remove(file);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(AdminMetrics, CountersMatchKnownTrafficExactly) {
    ServerProcess server{{users}};
    ASSERT_NE(server.admin_address().port, 0) << server.log();
    UdpEndpoint peer;
    TurnSession s(server.address(), "alice", "wonderland");
    const auto relayed = *s.allocate().relayed;
    ASSERT_EQ(s.channel_bind(0x4000, peer.address()).kind, Kind::success);
    const std::vector<std::uint8_t> payload(100, 0x42);
    for (int i = 0; i < 10; ++i) {
        s.send_channel_data(0x4000, payload);
        ASSERT_TRUE(peer.receive());
    }
    for (int i = 0; i < 7; ++i) {
        peer.send_to(payload, relayed);
        turn::IncomingData meta;
        ASSERT_TRUE(s.receive_data(meta));
    }
    EXPECT_EQ(s.create_permission({IpAddress::v4(10, 1, 2, 3), 4000}).code, stun::ErrorCode::forbidden);
    TurnSession wrong(server.address(), "alice", "not-her-password");
    EXPECT_EQ(wrong.allocate().code, stun::ErrorCode::unauthenticated);

    std::string text = metrics(server);
    EXPECT_EQ(metric(text, "hallpass_allocations{transport=\"udp\"}"), 1) << text;
    EXPECT_EQ(metric(text, "hallpass_allocations_created_total{transport=\"udp\"}"), 1);
    EXPECT_EQ(metric(text, "hallpass_relayed_packets_total{direction=\"to_peer\",transport=\"udp\"}"), 10);
    EXPECT_EQ(metric(text, "hallpass_relayed_bytes_total{direction=\"to_peer\",transport=\"udp\"}"), 1000);
    EXPECT_EQ(metric(text, "hallpass_relayed_packets_total{direction=\"to_client\",transport=\"udp\"}"), 7);
    EXPECT_EQ(metric(text, "hallpass_relayed_bytes_total{direction=\"to_client\",transport=\"udp\"}"), 700);
    EXPECT_EQ(metric(text, "hallpass_peer_refusals_total"), 1);
    EXPECT_EQ(metric(text, "hallpass_auth_failures_total{reason=\"bad_credentials\"}"), 1);
    EXPECT_EQ(metric(text, "hallpass_auth_challenges_total"), 2);  // each session's first Allocate
    EXPECT_EQ(metric(text, "hallpass_workers"), 2);
    EXPECT_EQ(metric(text, "hallpass_config_generation"), 1);
    EXPECT_GT(metric(text, "process_resident_memory_bytes"), 1e6);
    EXPECT_GT(metric(text, "process_open_fds"), 5);

    ASSERT_EQ(s.refresh(0).kind, Kind::success);
    text = metrics(server);
    EXPECT_EQ(metric(text, "hallpass_allocations{transport=\"udp\"}"), 0);
    EXPECT_EQ(metric(text, "hallpass_allocations_ended_total{transport=\"udp\",reason=\"released\"}"), 1);
    EXPECT_EQ(metric(text, "hallpass_allocation_lifetime_seconds_count"), 1);

    const auto [status, output] = run_with_input("promtool check metrics", text);
    EXPECT_EQ(status, 0) << output;
    EXPECT_EQ(output, "") << "promtool has remarks";
}

TEST(AdminMetrics, StreamConnectionsAndTlsHandshakesAreCounted) {
    ServerProcess server({users, 0, 500, true, true});
    {
        auto tls = std::make_unique<StreamTransport>(server.tls_address(), StreamOptions{true, {"stun.turn"}, ""});
        TurnSession s(std::move(tls), "alice", "wonderland");
        ASSERT_EQ(s.allocate().kind, Kind::success);
        const std::string text = metrics(server);
        EXPECT_EQ(metric(text, "hallpass_allocations{transport=\"tls\"}"), 1) << text;
        EXPECT_EQ(metric(text, "hallpass_stream_connections"), 1);
        EXPECT_EQ(metric(text, "hallpass_tls_handshakes_total"), 1);
        EXPECT_EQ(metric(text, "hallpass_stream_connections_accepted_total{transport=\"tls\"}"), 1);
    }
    // A client that offers plain TCP on the TLS port: the handshake fails.
    auto plain = std::make_unique<StreamTransport>(server.tls_address(), StreamOptions{false, {}, ""});
    const std::string junk = "GET-NOT-TLS-AT-ALL\r\n\r\n";
    plain->send({reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size()});
    EXPECT_TRUE(plain->closed_by_server(3s));
    std::string text;
    for (int i = 0; i < 50 && metric(text, "hallpass_stream_connections") != 0; ++i) {
        std::this_thread::sleep_for(20ms);
        text = metrics(server);
    }
    EXPECT_EQ(metric(text, "hallpass_stream_connections"), 0) << text;
    EXPECT_EQ(metric(text, "hallpass_tls_handshake_failures_total"), 1) << text;
    EXPECT_EQ(metric(text, "hallpass_allocations_ended_total{transport=\"tls\",reason=\"connection_closed\"}"), 1);
}

TEST(AdminApi, ATokenProtectedListenerRefusesRequestsWithoutIt) {
    ServerSettings settings{users};
    settings.admin_token = "a-test-token-of-some-length";
    ServerProcess server(settings);
    EXPECT_EQ(http_request(server.admin_address(), "GET", "/metrics").status, 401);
    EXPECT_EQ(http_request(server.admin_address(), "POST", "/reload").status, 401);
    EXPECT_EQ(http_request(server.admin_address(), "GET", "/metrics", "a-test-token-of-some-lengtH").status, 401);
    EXPECT_EQ(http_request(server.admin_address(), "GET", "/metrics", settings.admin_token).status, 200);
    EXPECT_FALSE(server.wait_for_log("reload:", 200ms)) << "an unauthorized reload ran";
}

TEST(AdminApi, ReloadThroughTheApiReportsWhatChangedOrWhatIsWrong) {
    ServerProcess server{{users}};
    auto ok = http_request(server.admin_address(), "POST", "/reload");
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(boost::json::parse(ok.body).at("generation"), 2);
    std::ofstream(server.config_path(), std::ios::app) << "limits: {channels_per_allocation: 0}\n";
    auto refused = http_request(server.admin_address(), "POST", "/reload");
    EXPECT_EQ(refused.status, 422);
    const auto error = std::string(boost::json::parse(refused.body).at("error").as_string());
    EXPECT_NE(error.find(server.config_path() + ": limits.channels_per_allocation: "), std::string::npos) << error;
    EXPECT_EQ(metric(metrics(server), "hallpass_config_last_reload_success"), 0);
    EXPECT_EQ(metric(metrics(server), "hallpass_config_generation"), 2);
}

// admin.listen moves with a reload made through it: the answer still comes over the old
// listener, which then takes no more requests; the new one serves; a taken port refuses
// the reload and keeps the listener where it is.
TEST(AdminApi, TheAdminListenerMovesWithAReload) {
    ServerProcess server{{users}};
    const TransportAddress old_admin = server.admin_address();
    const TransportAddress new_admin{IpAddress::v4(127, 0, 0, 1), free_tcp_port()};
    std::string config;
    {
        std::stringstream text;
        text << std::ifstream(server.config_path()).rdbuf();
        config = text.str();
    }
    const std::string old_line = "admin: {listen: \"127.0.0.1:0\"}";
    ASSERT_NE(config.find(old_line), std::string::npos) << config;
    const auto write_admin = [&](const TransportAddress& at) {
        std::string edited = config;
        edited.replace(edited.find(old_line), old_line.size(), "admin: {listen: \"" + at.to_string() + "\"}");
        std::ofstream(server.config_path(), std::ios::trunc) << edited;
    };

    // A kept-alive client of the old listener (a scraper) is let go, not served on.
    StreamTransport kept(old_admin, {});
    const std::string get = "GET /healthz HTTP/1.1\r\nHost: admin\r\n\r\n";
    kept.send({reinterpret_cast<const std::uint8_t*>(get.data()), get.size()});
    ASSERT_NE(kept.read_raw(2s).find("200 OK"), std::string::npos);

    write_admin(new_admin);
    auto moved = http_request(old_admin, "POST", "/reload");
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_NE(moved.body.find("admin.listen"), std::string::npos) << moved.body;
    EXPECT_TRUE(server.wait_for_log("reload: admin listening on " + new_admin.to_string(), 2s)) << server.log();
    EXPECT_TRUE(server.wait_for_log("reload: admin listener on " + old_admin.to_string() + " closed", 1s))
        << server.log();
    EXPECT_EQ(http_request(new_admin, "GET", "/healthz").status, 200);
    EXPECT_EQ(http_request(old_admin, "GET", "/healthz").status, 0);
    EXPECT_TRUE(kept.closed_by_server(2s));

    // A port someone else holds: refused, and the listener stays on new_admin.
    const int squatter = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof a;
    ASSERT_EQ(::bind(squatter, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(squatter, 1), 0);
    ::getsockname(squatter, reinterpret_cast<sockaddr*>(&a), &length);
    const TransportAddress taken{IpAddress::v4(127, 0, 0, 1), ntohs(a.sin_port)};
    write_admin(taken);
    auto refused = http_request(new_admin, "POST", "/reload");
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_NE(refused.body.find("admin.listen: cannot listen on " + taken.to_string()), std::string::npos) << refused.body;
    EXPECT_EQ(http_request(new_admin, "GET", "/healthz").status, 200);
    ::close(squatter);
}

TEST(AdminApi, OversizedRequestsAndTooManyConnectionsAreRefused) {
    ServerProcess server{{users}};
    EXPECT_EQ(http_request(server.admin_address(), "GET", "/healthz", "", std::string(16384, 'x')).status, 431);
    // 32 connections that send nothing hold every place; the 33rd is closed unanswered,
    // and once they go, the listener answers again.
    std::vector<std::unique_ptr<StreamTransport>> idle;
    for (int i = 0; i < 32; ++i)
        idle.push_back(std::make_unique<StreamTransport>(server.admin_address(), StreamOptions{}));
    std::this_thread::sleep_for(200ms);  // let the server accept them all
    EXPECT_EQ(http_request(server.admin_address(), "GET", "/healthz").status, 0);
    idle.clear();
    int status = 0;
    for (int i = 0; i < 50 && status != 200; ++i) {
        std::this_thread::sleep_for(20ms);
        status = http_request(server.admin_address(), "GET", "/healthz").status;
    }
    EXPECT_EQ(status, 200);
}

// A real Prometheus server scrapes hallpass and sees a relayed-packet counter grow.
TEST(AdminPrometheus, ARealScrapeSeesRelayedPacketsGrow) {
    ServerProcess server{{users}};
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("hallpass-prom-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "prometheus.yml") << "global: {scrape_interval: 1s}\n"
                                             "scrape_configs:\n  - job_name: hallpass\n"
                                             "    static_configs: [{targets: [\"" << server.admin_address().to_string()
                                          << "\"]}]\n";
    const std::uint16_t port = free_tcp_port();
    const pid_t prometheus = ::fork();
    if (prometheus == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(null, 2);
        const std::string config = "--config.file=" + (dir / "prometheus.yml").string();
        const std::string storage = "--storage.tsdb.path=" + (dir / "data").string();
        const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port);
        ::execlp("prometheus", "prometheus", config.c_str(), storage.c_str(), listen.c_str(), nullptr);
        std::_Exit(127);
    }
    struct Cleanup {
        pid_t pid;
        std::filesystem::path dir;
        ~Cleanup() {
            ::kill(pid, SIGTERM);
            ::waitpid(pid, nullptr, 0);
            std::filesystem::remove_all(dir);
        }
    } cleanup{prometheus, dir};

    UdpEndpoint peer;
    TurnSession s(server.address(), "alice", "wonderland");
    ASSERT_EQ(s.allocate().kind, Kind::success);
    ASSERT_EQ(s.channel_bind(0x4000, peer.address()).kind, Kind::success);
    const TransportAddress api{IpAddress::v4(127, 0, 0, 1), port};
    const std::string query = "/api/v1/query?query=hallpass_relayed_packets_total%7Bdirection%3D%22to_peer%22%2Ctransport%3D%22udp%22%7D";
    double seen = 0;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (seen < 5 && std::chrono::steady_clock::now() < deadline) {
        s.send_channel_data(0x4000, std::vector<std::uint8_t>(100, 1));  // one more each round
        ASSERT_TRUE(peer.receive());
        std::this_thread::sleep_for(250ms);
        const auto answer = http_request(api, "GET", query);
        if (answer.status != 200) continue;
        const auto result = boost::json::parse(answer.body).at("data").at("result").as_array();
        if (!result.empty()) seen = std::stod(std::string(result.at(0).at("value").as_array().at(1).as_string()));
    }
    EXPECT_GE(seen, 5) << "Prometheus never saw the counter grow";
}

// `hallpass ctl ARGS` against the server's admin listener: exit status and output.
std::pair<int, std::string> ctl(const ServerProcess& server, const std::string& args) {
    return run_with_input(std::string(HALLPASS_BINARY) + " ctl --admin http://" + server.admin_address().to_string() +
                              " " + args,
                          "");
}

TEST(AdminSessions, DisconnectingAUserEndsTheirAllocationsAndFreesTheirPorts) {
    ServerSettings settings{"auth:\n  users: [{name: alice, password: wonderland}, {name: bob, password: builder}]\n"};
    settings.relay_port_count = 2;  // alice's two allocations take every relay port
    ServerProcess server(settings);
    TurnSession a1(server.address(), "alice", "wonderland"), a2(server.address(), "alice", "wonderland");
    ASSERT_EQ(a1.allocate().kind, Kind::success);
    ASSERT_EQ(a2.allocate().kind, Kind::success);
    TurnSession bob(server.address(), "bob", "builder");
    EXPECT_EQ(bob.allocate().code, stun::ErrorCode::insufficient_capacity);

    const auto listed = boost::json::parse(http_request(server.admin_address(), "GET", "/sessions?user=alice").body);
    const auto& sessions = listed.at("sessions").as_array();
    ASSERT_EQ(sessions.size(), 2u);
    EXPECT_EQ(sessions.at(0).at("user"), "alice");
    EXPECT_EQ(sessions.at(0).at("transport"), "udp");
    const auto [table_status, table] = ctl(server, "sessions");
    EXPECT_EQ(table_status, 0) << table;
    EXPECT_NE(table.find("2 session(s)"), std::string::npos) << table;

    const auto [status, output] = ctl(server, "disconnect --user alice");
    EXPECT_EQ(status, 0) << output;
    EXPECT_EQ(output, "ended 2 allocation(s)\n");
    EXPECT_EQ(a1.refresh(600).code, stun::ErrorCode::allocation_mismatch);
    EXPECT_TRUE(server.wait_for_log("reason=disconnected", 2s)) << server.log();
    // The ports are back: bob gets one now.
    TurnSession bob_again(server.address(), "bob", "builder");
    EXPECT_EQ(bob_again.allocate().kind, Kind::success) << server.log();

    // One session by its id.
    const auto bobs = boost::json::parse(http_request(server.admin_address(), "GET", "/sessions").body);
    const std::string id(bobs.at("sessions").as_array().at(0).at("id").as_string());
    EXPECT_EQ(ctl(server, "disconnect --session " + id).first, 0);
    EXPECT_EQ(http_request(server.admin_address(), "DELETE", "/sessions/" + id).status, 404);
    EXPECT_EQ(bob_again.refresh(600).code, stun::ErrorCode::allocation_mismatch);
}

TEST(AdminCtl, InfoReloadDrainAndTheToken) {
    ServerSettings settings{users};
    settings.admin_token = "ctl-test-token-0123456789";
    ServerProcess server(settings);
    const auto [refused, why] = ctl(server, "info");
    EXPECT_EQ(refused, 1);
    EXPECT_NE(why.find("401"), std::string::npos) << why;
    const std::string token = "--token " + settings.admin_token + " ";
    const auto [info_status, info] = ctl(server, token + "info");
    EXPECT_EQ(info_status, 0) << info;
    EXPECT_NE(info.find("config_generation: 1"), std::string::npos) << info;
    const auto [json_status, json] = ctl(server, token + "--json info");
    EXPECT_EQ(json_status, 0);
    EXPECT_EQ(boost::json::parse(json).at("workers"), 2);
    const auto [reload_status, reload] = ctl(server, token + "reload");
    EXPECT_EQ(reload_status, 0) << reload;
    EXPECT_NE(reload.find("generation: 2"), std::string::npos) << reload;
    EXPECT_EQ(ctl(server, token + "frobnicate").first, 2);
    EXPECT_EQ(ctl(server, token + "disconnect").first, 2);
    const auto [drain_status, drain] = ctl(server, token + "drain");
    EXPECT_EQ(drain_status, 0) << drain;
    const auto exit = server.wait_exit(5s);
    ASSERT_TRUE(exit) << server.log();
    EXPECT_EQ(*exit, 0);
}

}  // namespace
}  // namespace hallpass::testing
