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
    EXPECT_EQ(c.needs_restart, (Keys{"workers (2 -> 4)", "io_engine (auto -> epoll)", "listen"}));
    EXPECT_EQ(c.applied, (Keys{"peers.deny"}));
    const Config kept = keep_restart_only(next, running);
    EXPECT_EQ(kept.workers, 2u);
    EXPECT_EQ(kept.io_engine, IoEngine::automatic);
    EXPECT_EQ(kept.listen, running.listen);
    EXPECT_EQ(kept.peers.deny, next.peers.deny);
}

}  // namespace
}  // namespace hallpass::config
