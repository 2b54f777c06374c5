// The sd_notify protocol as systemd sees it: the test stands in for systemd with a datagram
// socket named in NOTIFY_SOCKET, and reads what the real binary says across a start, a
// reload and a stop; with WATCHDOG_USEC set, the workers' loops keep the watchdog fed.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <poll.h>

#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"

namespace hallpass::testing {
namespace {

using namespace std::chrono_literals;

class NotifySocket {
public:
    NotifySocket() {
        path_ = (std::filesystem::temp_directory_path() / ("hallpass-notify-" + std::to_string(::getpid()))).string();
        std::filesystem::remove(path_);
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind notify socket");
    }
    ~NotifySocket() {
        ::close(fd_);
        std::filesystem::remove(path_);
    }
    const std::string& path() const { return path_; }

    // Reads datagrams until one contains `text`; every one read is kept in seen().
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
            char buf[4096];
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) continue;
            seen_.emplace_back(buf, static_cast<std::size_t>(n));
            if (seen_.back().find(text) != std::string::npos) return true;
        }
    }
    std::string seen() const {
        std::string all;
        for (const auto& s : seen_) all += "[" + s + "] ";
        return all;
    }

private:
    std::string path_;
    int fd_ = -1;
    std::vector<std::string> seen_;
};

// The child inherits the environment: set for the start, removed afterwards.
struct ScopedEnv {
    ScopedEnv(const char* variable, const std::string& value) : name(variable) { ::setenv(name, value.c_str(), 1); }
    ~ScopedEnv() { ::unsetenv(name); }
    const char* name;
};

const std::string users = "auth:\n  users: [{name: alice, password: wonderland}]\n";

TEST(Systemd, ReadyReloadingStatusAndStoppingReachTheNotifySocket) {
    NotifySocket systemd;
    ScopedEnv env("NOTIFY_SOCKET", systemd.path());
    ServerProcess server{{users}};
    ASSERT_TRUE(systemd.wait_for("READY=1", 5s)) << systemd.seen();
    ASSERT_TRUE(systemd.wait_for("STATUS=0 allocation(s)", 5s)) << systemd.seen();

    server.signal(SIGHUP);
    ASSERT_TRUE(systemd.wait_for("RELOADING=1", 5s)) << systemd.seen();
    EXPECT_TRUE(systemd.seen().find("MONOTONIC_USEC=") != std::string::npos) << systemd.seen();
    ASSERT_TRUE(systemd.wait_for("READY=1", 5s)) << systemd.seen();

    TurnSession s(server.address(), "alice", "wonderland");
    ASSERT_EQ(s.allocate().kind, turn::ClientResult::Kind::success);
    EXPECT_TRUE(systemd.wait_for("STATUS=1 allocation(s)", 10s)) << systemd.seen();

    EXPECT_EQ(server.stop(), 0);
    EXPECT_TRUE(systemd.wait_for("STOPPING=1", 5s)) << systemd.seen();
}

TEST(Systemd, TheWatchdogIsFedWhileTheWorkersTurn) {
    NotifySocket systemd;
    ScopedEnv socket_env("NOTIFY_SOCKET", systemd.path());
    ScopedEnv watchdog_env("WATCHDOG_USEC", "2000000");
    ServerProcess server{{users}};
    ASSERT_TRUE(systemd.wait_for("READY=1", 5s)) << systemd.seen();
    // Every quarter of the interval while the loops turn: at least three in two seconds.
    int pings = 0;
    const auto until = std::chrono::steady_clock::now() + 2500ms;
    while (std::chrono::steady_clock::now() < until)
        if (systemd.wait_for("WATCHDOG=1", 600ms)) ++pings;
    EXPECT_GE(pings, 3) << systemd.seen();
}

}  // namespace
}  // namespace hallpass::testing
