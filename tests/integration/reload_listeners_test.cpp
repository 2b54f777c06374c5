// Listeners change with a reload of the real binary: added ones are bound and serve at once,
// removed ones take no new clients while what they already carry goes on (a UDP listener
// until its last allocation ends, then its port is free), a TCP listener can turn into a TLS
// one on the same port, and a port that cannot be bound refuses the whole reload.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "relay/socket_address.hpp"
#include "tests/integration/relaying.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::testing {
namespace {

using Kind = turn::ClientResult::Kind;
using namespace std::chrono_literals;

const std::string yaml = "auth:\n  secrets: [\"secret-a\"]\npeers:\n  allow: [\"127.0.0.1/32\"]\n";

std::unique_ptr<TurnSession> session(std::unique_ptr<ClientTransport> transport, const std::string& id) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string user = turn::rest_username(now + 3600, id);
    return std::make_unique<TurnSession>(std::move(transport), user, turn::rest_password("secret-a", user));
}

std::unique_ptr<ClientTransport> tcp_to(const TransportAddress& a, bool tls = false) {
    StreamOptions options;
    options.tls = tls;
    return std::make_unique<StreamTransport>(a, options);
}

std::string read_file(const std::string& path) {
    std::stringstream text;
    text << std::ifstream(path).rdbuf();
    return text.str();
}

// Replaces the config's `listen:` section with `listen`, and appends `extra`.
void set_listeners(const ServerProcess& server, const std::string& listen, const std::string& extra = "") {
    std::string config = read_file(server.config_path());
    const auto from = config.find("listen:\n");
    ASSERT_NE(from, std::string::npos);
    auto to = from + 8;
    while (to < config.size() && config.compare(to, 2, "  ") == 0) to = config.find('\n', to) + 1;
    config.replace(from, to - from, listen);
    std::ofstream(server.config_path(), std::ios::trunc) << config << extra;
}

std::string quoted(const TransportAddress& a) { return "\"" + a.to_string() + "\""; }

void reload(ServerProcess& server, int generation) {
    server.signal(SIGHUP);
    ASSERT_TRUE(server.wait_for_log("reload: generation " + std::to_string(generation) + " applied", 5s))
        << server.log();
}

// True once a plain UDP socket can bind `a`: the server let go of the port.
bool udp_port_free(const TransportAddress& a) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const auto address = relay::to_socket_address(a);
    const bool free = ::bind(fd, address.get(), address.length) == 0;
    ::close(fd);
    return free;
}

// A new client's request to a removed UDP listener gets no answer at all.
bool answered(const TransportAddress& server) {
    auto s = session(udp_transport(server), "newcomer");
    std::array<std::uint8_t, 512> buf{};
    s->transport().send(s->client().allocate_request(buf, {}));
    return s->transport().receive(500ms).has_value();
}

TEST(ReloadListeners, AddedOnesServeAndRemovedOnesKeepWhatTheyCarry) {
    ServerSettings settings{yaml};
    settings.tcp = true;
    ServerProcess server(settings);
    UdpEndpoint peer;
    Relaying over_udp = relaying(session(udp_transport(server.address()), "udp-student"), peer);
    Relaying over_tcp = relaying(session(tcp_to(server.tcp_address()), "tcp-student"), peer);

    const TransportAddress new_udp{IpAddress::v4(127, 0, 0, 1), free_udp_port()};
    const TransportAddress new_tls{IpAddress::v4(127, 0, 0, 1), free_tcp_port()};
    set_listeners(server, "listen:\n  udp: [" + quoted(new_udp) + "]\n  tls: [" + quoted(new_tls) + "]\n",
                  "tls: {certificate: " + server.certificate_path() + ", private_key: " + server.private_key_path() +
                      ", self_signed: true}\n");
    reload(server, 2);
    EXPECT_TRUE(server.wait_for_log("reload: listening tls " + new_tls.to_string(), 1s)) << server.log();
    EXPECT_TRUE(server.wait_for_log("reload: udp " + server.address().to_string() + " removed", 1s)) << server.log();

    // The new listeners serve, the TLS one with a store made by this reload.
    Relaying new_udp_student = relaying(session(udp_transport(new_udp), "new-udp"), peer);
    EXPECT_TRUE(round_trip(new_udp_student, peer)) << server.log();
    auto tls = tcp_to(new_tls, true);
    ASSERT_TRUE(dynamic_cast<StreamTransport&>(*tls).connected()) << server.log();
    Relaying new_tls_student = relaying(session(std::move(tls), "new-tls"), peer);
    EXPECT_TRUE(round_trip(new_tls_student, peer));

    // What the removed ones carried goes on: media, refreshes and bindings.
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(round_trip(over_udp, peer)) << i;
        ASSERT_TRUE(round_trip(over_tcp, peer)) << i;
    }
    EXPECT_EQ(over_udp.session->refresh(600).kind, Kind::success);
    EXPECT_EQ(over_tcp.session->refresh(600).kind, Kind::success);
    UdpEndpoint other_peer;
    EXPECT_EQ(over_udp.session->channel_bind(0x4001, other_peer.address()).kind, Kind::success);
    // ... but they take no new client.
    EXPECT_FALSE(answered(server.address()));
    EXPECT_FALSE(dynamic_cast<StreamTransport&>(*tcp_to(server.tcp_address())).connected());

    // The removed UDP port is let go once its last allocation ends.
    EXPECT_FALSE(udp_port_free(server.address()));
    EXPECT_EQ(over_udp.session->refresh(0).kind, Kind::success);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!udp_port_free(server.address()) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);  // polled: the worker closes it at its next tick
    EXPECT_TRUE(udp_port_free(server.address())) << server.log();
    EXPECT_TRUE(round_trip(over_tcp, peer));
}

// The worker an allocation of `client` lives on, from its "allocation created" line.
int worker_of(ServerProcess& server, const TransportAddress& client) {
    server.drain();
    const std::string& log = server.log();
    const auto at = log.find("client=" + client.to_string() + " transport=udp");
    if (at == std::string::npos) return -1;
    const auto w = log.find("worker=", at);
    return w == std::string::npos ? -1 : log[w + 7] - '0';
}

// Each worker has a socket on a UDP address, in one SO_REUSEPORT group: were an idle worker
// to close its socket first, the kernel would move other workers' clients to sockets that
// do not know them. With four workers and clients on two of them, those clients must keep
// relaying until the very end.
TEST(ReloadListeners, ARemovedUdpAddressClosesOnlyWhenNoWorkerHasAllocationsThroughIt) {
    ServerSettings settings{yaml};
    settings.workers = 4;
    ServerProcess server(settings);
    UdpEndpoint peer;
    std::vector<Relaying> students;
    std::vector<int> workers;
    for (int i = 0; i < 24; ++i) {
        students.push_back(relaying(session(udp_transport(server.address()), "s" + std::to_string(i)), peer));
        workers.push_back(worker_of(server, students.back().session->local_address()));
        ASSERT_GE(workers.back(), 0) << server.log();
    }
    // Keep the clients of the first two workers seen; end the rest.
    std::vector<int> kept_workers;
    for (int w : workers)
        if (kept_workers.size() < 2 && std::find(kept_workers.begin(), kept_workers.end(), w) == kept_workers.end())
            kept_workers.push_back(w);
    ASSERT_EQ(kept_workers.size(), 2u) << "24 clients all landed on one worker";
    std::vector<Relaying*> kept;
    for (std::size_t i = 0; i < students.size(); ++i) {
        if (std::find(kept_workers.begin(), kept_workers.end(), workers[i]) != kept_workers.end())
            kept.push_back(&students[i]);
        else
            ASSERT_EQ(students[i].session->refresh(0).kind, Kind::success);
    }

    const TransportAddress new_udp{IpAddress::v4(127, 0, 0, 1), free_udp_port()};
    set_listeners(server, "listen:\n  udp: [" + quoted(new_udp) + "]\n");
    reload(server, 2);
    // Past a few ticks of every worker: the idle ones must not have closed theirs.
    const auto until = std::chrono::steady_clock::now() + 2500ms;
    int rounds = 0;
    while (std::chrono::steady_clock::now() < until || rounds < 3) {
        for (Relaying* r : kept) ASSERT_TRUE(round_trip(*r, peer)) << "round " << rounds << "\n" << server.log();
        ++rounds;
    }
    EXPECT_FALSE(udp_port_free(server.address()));
    for (Relaying* r : kept) EXPECT_EQ(r->session->refresh(0).kind, Kind::success);
    EXPECT_TRUE(server.wait_for_log("udp " + server.address().to_string() + " closed: no allocation made through it is left", 5s))
        << server.log();
    EXPECT_TRUE(udp_port_free(server.address())) << server.log();
}

// Sockets still open for allocations cannot be joined by new ones on their port: neither
// the removed address itself nor a wildcard over it is added until they have closed.
TEST(ReloadListeners, AnAddressStillServingAllocationsIsNotAddedBackUntilItCloses) {
    ServerProcess server{ServerSettings{yaml}};
    UdpEndpoint peer;
    Relaying student = relaying(session(udp_transport(server.address()), "student"), peer);
    const TransportAddress old_udp = server.address();
    const TransportAddress new_udp{IpAddress::v4(127, 0, 0, 1), free_udp_port()};
    set_listeners(server, "listen:\n  udp: [" + quoted(new_udp) + "]\n");
    reload(server, 2);

    set_listeners(server, "listen:\n  udp: [" + quoted(new_udp) + ", " + quoted(old_udp) + "]\n");
    server.signal(SIGHUP);
    EXPECT_TRUE(server.wait_for_log("(generation 2 stays): " + server.config_path() + ": listen.udp: " +
                                        old_udp.to_string() + " was removed by an earlier reload and is still open",
                                    5s))
        << server.log();
    const TransportAddress wildcard{IpAddress{AddressFamily::ipv4, {}}, new_udp.port};
    // (A wildcard listener beside loopback peers needs this acknowledgement first.)
    set_listeners(server, "listen:\n  udp: [" + quoted(new_udp) + ", " + quoted(wildcard) + "]\n",
                  "unsafe_development_config_on_network: true\n");
    server.signal(SIGHUP);
    EXPECT_TRUE(server.wait_for_log("listen.udp: " + wildcard.to_string() + " shares its port with " +
                                        new_udp.to_string() + ", which serves allocations now",
                                    5s))
        << server.log();
    EXPECT_TRUE(round_trip(student, peer));

    EXPECT_EQ(student.session->refresh(0).kind, Kind::success);
    ASSERT_TRUE(server.wait_for_log("udp " + old_udp.to_string() + " closed", 5s)) << server.log();
    std::string config = read_file(server.config_path());
    config.erase(config.find("unsafe_development_config_on_network"));
    std::ofstream(server.config_path(), std::ios::trunc) << config;
    set_listeners(server, "listen:\n  udp: [" + quoted(new_udp) + ", " + quoted(old_udp) + "]\n");
    reload(server, 3);
    Relaying back = relaying(session(udp_transport(old_udp), "back"), peer);
    EXPECT_TRUE(round_trip(back, peer)) << server.log();
}

// The last TLS listener removed with its certificate settings: nothing is left to read.
TEST(ReloadListeners, TheLastTlsListenerGoesWithItsCertificateSettings) {
    ServerSettings settings{yaml};
    settings.tls = true;
    ServerProcess server(settings);
    set_listeners(server, "listen:\n  udp: [" + quoted(server.address()) + "]\n");
    std::string config = read_file(server.config_path());
    const auto tls = config.find("tls: {");
    ASSERT_NE(tls, std::string::npos);
    config.erase(tls, config.find('\n', tls) + 1 - tls);
    std::ofstream(server.config_path(), std::ios::trunc) << config;
    reload(server, 2);
    EXPECT_TRUE(server.wait_for_log("reload: tls " + server.tls_address().to_string() + " removed", 1s))
        << server.log();
    EXPECT_FALSE(dynamic_cast<StreamTransport&>(*tcp_to(server.tls_address(), true)).connected());
}

// The same port, turned from TCP to TLS: connections made over TCP go on, new ones speak TLS.
TEST(ReloadListeners, ATcpListenerTurnsIntoTlsOnTheSamePort) {
    ServerSettings settings{yaml};
    settings.tcp = true;
    ServerProcess server(settings);
    UdpEndpoint peer;
    Relaying over_tcp = relaying(session(tcp_to(server.tcp_address()), "tcp-student"), peer);
    set_listeners(server,
                  "listen:\n  udp: [" + quoted(server.address()) + "]\n  tls: [" + quoted(server.tcp_address()) + "]\n",
                  "tls: {certificate: " + server.certificate_path() + ", private_key: " + server.private_key_path() +
                      ", self_signed: true}\n");
    reload(server, 2);
    EXPECT_TRUE(server.wait_for_log("changed: tls, listen", 1s)) << server.log();
    EXPECT_TRUE(server.wait_for_log("reload: tcp " + server.tcp_address().to_string() + " now tls (the socket is kept", 1s))
        << server.log();
    EXPECT_EQ(server.log().find("reload: listening"), std::string::npos) << "no socket was opened or closed";

    auto tls = tcp_to(server.tcp_address(), true);
    ASSERT_TRUE(dynamic_cast<StreamTransport&>(*tls).connected()) << server.log();
    Relaying over_tls = relaying(session(std::move(tls), "tls-student"), peer);
    EXPECT_TRUE(round_trip(over_tls, peer));
    EXPECT_TRUE(round_trip(over_tcp, peer));
    EXPECT_EQ(over_tcp.session->refresh(600).kind, Kind::success);
}

// A port another socket holds: the reload is refused whole, with the key and the reason,
// and the rest of the file (a new secret here) does not apply either.
TEST(ReloadListeners, APortThatCannotBeBoundRefusesTheReload) {
    ServerProcess server{ServerSettings{yaml}};
    UdpEndpoint squatter;  // no SO_REUSEPORT: nobody else can bind its port
    std::string config = read_file(server.config_path());
    set_listeners(server, "listen:\n  udp: [" + quoted(server.address()) + ", " + quoted(squatter.address()) + "]\n");
    config = read_file(server.config_path());
    config.replace(config.find("secret-a"), 8, "secret-z");
    std::ofstream(server.config_path(), std::ios::trunc) << config;
    server.signal(SIGHUP);
    EXPECT_TRUE(server.wait_for_log("reload failed, nothing changed (generation 1 stays): " + server.config_path() +
                                        ": listen.udp: cannot listen on udp " + squatter.address().to_string(),
                                    5s))
        << server.log();
    EXPECT_EQ(session(udp_transport(server.address()), "student")->allocate().kind, Kind::success);
}

}  // namespace
}  // namespace hallpass::testing
