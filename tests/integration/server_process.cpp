#include "tests/integration/server_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

#include "tests/integration/udp_endpoint.hpp"

namespace hallpass::testing {
namespace {

std::string base_config(std::uint16_t port, std::uint16_t relay_min, std::uint16_t relay_count) {
    return "realm: hallpass.test\n"
           "listen:\n  udp: [\"127.0.0.1:" + std::to_string(port) + "\"]\n"
           "relay:\n  ranges: [\"127.0.0.1/32\"]\n"
           "  ports: {min: " + std::to_string(relay_min) + ", max: " + std::to_string(relay_min + relay_count - 1) + "}\n"
           "workers: 2\n"
           "log: {level: info}\n";
}

std::uint16_t random_relay_block() {
    std::random_device rd;
    return static_cast<std::uint16_t>(20000 + (rd() % 80) * 500);
}

}  // namespace

ServerProcess::ServerProcess(const ServerSettings& settings) {
    const std::uint16_t port = free_udp_port();
    address_ = {IpAddress::v4(127, 0, 0, 1), port};
    char path[] = "/tmp/hallpass-it-XXXXXX";
    const int fd = ::mkstemp(path);
    ::close(fd);
    config_path_ = path;
    const std::uint16_t relay_min = settings.relay_port_min ? settings.relay_port_min : random_relay_block();
    std::ofstream(config_path_) << base_config(port, relay_min, settings.relay_port_count)
                                << settings.extra_yaml;
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
        ::dup2(pipe_fds[1], 1);
        ::dup2(pipe_fds[1], 2);
        ::close(pipe_fds[0]);
        ::execl(HALLPASS_BINARY, "hallpass", "serve", "--config", config_path_.c_str(), nullptr);
        std::_Exit(127);
    }
    ::close(pipe_fds[1]);
    out_fd_ = pipe_fds[0];
    if (!wait_for_log("hallpass ready", std::chrono::seconds(15)))
        throw std::runtime_error("hallpass did not become ready:\n" + log_);
}

ServerProcess::~ServerProcess() {
    stop();
    if (out_fd_ >= 0) ::close(out_fd_);
    ::unlink(config_path_.c_str());
}

bool ServerProcess::read_more(std::chrono::milliseconds timeout) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buf[4096];
    const auto n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) return false;
    log_.append(buf, static_cast<std::size_t>(n));
    return true;
}

bool ServerProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (log_.find(text) == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !read_more(left)) return log_.find(text) != std::string::npos;
    }
    return true;
}

int ServerProcess::stop() {
    if (pid_ <= 0) return 0;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    while (read_more(std::chrono::milliseconds(0))) {
    }
    return status;
}

}  // namespace hallpass::testing
