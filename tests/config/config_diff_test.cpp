// diff_config: which keys a reload applies, which need a restart, and that the running values
// of the latter are kept.
#include "config/config_diff.hpp"

#include <gtest/gtest.h>

#include "config/config_loader.hpp"

namespace hallpass::config {
namespace {

using Keys = std::vector<std::string>;

Config load(const std::string& extra, const std::string& udp = "127.0.0.1:3478") {
    return parse_config("realm: r\nlisten: {udp: [\"" + udp + "\"]}\nrelay: {ranges: [\"127.0.0.1/32\"]}\n"
                        "auth: {secrets: [s]}\n" + extra,
                        "test.yaml");
}

TEST(ConfigDiff, TheSameFileChangesNothing) {
    const auto c = diff_config(load(""), load(""));
    EXPECT_TRUE(c.applied.empty());
    EXPECT_TRUE(c.needs_restart.empty());
}

TEST(ConfigDiff, NamesEachLiveSectionThatChanged) {
    const auto c = diff_config(load(""), load("peers: {allow: [\"10.0.0.5/32\"]}\nlog: {level: debug}\n"
                                              "limits: {allocations_per_user: 8}\nsoftware: x\n"));
    EXPECT_EQ(c.applied, (Keys{"software", "peers.allow", "limits", "log.level"}));
    EXPECT_TRUE(c.needs_restart.empty());
}

TEST(ConfigDiff, RestartOnlyKeysAreNamedWithTheirValuesAndKept) {
    const Config running = load("workers: 2\n");
    const Config next = load("workers: 4\nio_engine: epoll\npeers: {deny: [\"192.0.2.0/24\"]}\n", "127.0.0.1:3479");
    const auto c = diff_config(running, next);
    EXPECT_EQ(c.needs_restart, (Keys{"workers (2 -> 4)", "io_engine (auto -> epoll)"}));
    EXPECT_EQ(c.applied, (Keys{"peers.deny", "listen"}));
    const Config kept = keep_restart_only(next, running);
    EXPECT_EQ(kept.workers, 2u);
    EXPECT_EQ(kept.io_engine, IoEngine::automatic);
    EXPECT_EQ(kept.listen, next.listen);  // listeners change live
    EXPECT_EQ(kept.peers.deny, next.peers.deny);
}

TEST(ConfigDiff, EveryLimitAppliesLiveTheIpv6PrefixToo) {
    const Config running = load("");
    const Config next = load("limits: {connections_ipv6_prefix: 56}\n");
    const auto c = diff_config(running, next);
    EXPECT_EQ(c.applied, (Keys{"limits"}));
    EXPECT_TRUE(c.needs_restart.empty());
    EXPECT_EQ(keep_restart_only(next, running).limits.connections_ipv6_prefix, 56u);
}

ListenConfig listen_of(const std::string& yaml) {
    return parse_config("realm: r\nlisten: " + yaml + "\nrelay: {ranges: [\"127.0.0.1/32\"]}\n"
                        "auth: {secrets: [s]}\ntls: {self_signed: true}\n",
                        "test.yaml")
        .listen;
}

TransportAddress at(const char* text) { return *TransportAddress::parse(text); }

TEST(ListenerChanges, AddedAndRemovedAddressesPerKind) {
    const auto running = listen_of("{udp: [\"127.0.0.1:3478\", \"127.0.0.1:3479\"], tcp: [\"127.0.0.1:3478\"]}");
    const auto next = listen_of("{udp: [\"127.0.0.1:3479\", \"127.0.0.1:3480\"], tls: [\"127.0.0.1:5349\"]}");
    const auto c = listener_changes(running, next);
    EXPECT_EQ(c.udp_added, std::vector{at("127.0.0.1:3480")});
    EXPECT_EQ(c.udp_removed, std::vector{at("127.0.0.1:3478")});
    EXPECT_EQ(c.stream_added, std::vector{at("127.0.0.1:5349")});
    EXPECT_EQ(c.stream_removed, std::vector{at("127.0.0.1:3478")});
    EXPECT_TRUE(listener_changes(running, running).empty());
}

// A TCP listener that turns into a TLS one, or gains PROXY settings, is the same socket:
// its port is never closed in between.
TEST(ListenerChanges, AStreamListenerIsItsAddress) {
    const auto running = listen_of("{tcp: [\"127.0.0.1:443\", \"127.0.0.1:3478\"]}");
    const auto next = listen_of("{tls: [\"127.0.0.1:443\"], tcp: [{address: \"127.0.0.1:3478\", "
                                "proxy_protocol: true, trusted: [\"127.0.0.1/32\"]}]}");
    EXPECT_TRUE(listener_changes(running, next).empty());
    bool tls = false;
    const StreamListener* l = find_stream_listener(next, at("127.0.0.1:443"), &tls);
    ASSERT_NE(l, nullptr);
    EXPECT_TRUE(tls);
    l = find_stream_listener(next, at("127.0.0.1:3478"), &tls);
    ASSERT_NE(l, nullptr);
    EXPECT_FALSE(tls);
    EXPECT_TRUE(l->proxy_protocol);
    EXPECT_EQ(find_stream_listener(next, at("127.0.0.1:3479"), &tls), nullptr);
}

}  // namespace
}  // namespace hallpass::config
