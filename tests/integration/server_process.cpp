#include "tests/integration/server_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/udp_endpoint.hpp"

namespace hallpass::testing {
namespace {

std::string quoted(const TransportAddress& a) { return "\"" + a.to_string() + "\""; }

// The engine under test, from the environment CTest sets; the server's default otherwise.
std::string engine_line() {
    const char* engine = std::getenv("HALLPASS_TEST_IO_ENGINE");
    return engine && *engine ? std::string("io_engine: ") + engine + "\n" : "";
}

std::string base_config(const std::string& ranges, std::uint16_t relay_min, std::uint16_t relay_count,
                        const std::string& log_format, const std::string& log_level, const std::string& admin_token,
                        unsigned workers) {
    return engine_line() + "realm: hallpass.test\n"
           "relay:\n  ranges: [" + ranges + "]\n"
           "  ports: {min: " + std::to_string(relay_min) + ", max: " + std::to_string(relay_min + relay_count - 1) + "}\n"
           "workers: " + std::to_string(workers) + "\n"
           "admin: {listen: \"127.0.0.1:0\"" + admin_token + "}\n"
           "log: {level: " + log_level + ", format: " + log_format + "}\n";
}

std::uint16_t random_relay_block() {
    std::random_device rd;
    return static_cast<std::uint16_t>(20000 + (rd() % 80) * 500);
}

}  // namespace

ServerProcess::ServerProcess(const ServerSettings& settings) {
    const std::uint16_t port = free_udp_port();
    const IpAddress loopback = IpAddress::v4(127, 0, 0, 1);
    address_ = {loopback, port};
    char dir[] = "/tmp/hallpass-it-XXXXXX";
    dir_ = ::mkdtemp(dir);
    config_path_ = dir_ + "/hallpass.yaml";
    certificate_ = dir_ + "/tls/cert.pem";
    private_key_ = dir_ + "/tls/key.pem";
    std::string listen = "listen:\n  udp: [" + quoted(address_) + "]\n  tcp: [";
    // Each probe closes its socket, so two probes can be handed the same free port; the
    // listeners need different ones.
    std::vector<std::uint16_t> taken;
    auto distinct_tcp_port = [&taken] {
        std::uint16_t p = free_tcp_port();
        while (std::find(taken.begin(), taken.end(), p) != taken.end()) p = free_tcp_port();
        taken.push_back(p);
        return p;
    };
    if (settings.tcp) listen += quoted(tcp_ = {loopback, distinct_tcp_port()});
    if (settings.proxied_tcp) {
        proxied_ = {loopback, distinct_tcp_port()};
        listen += std::string(settings.tcp ? ", " : "") + "{address: " + quoted(proxied_) +
                  ", proxy_protocol: true, trusted: [" + settings.proxy_trusted + "]}";
    }
    listen += "]\n";
    if (settings.tls) {
        listen += "  tls: [" + quoted(tls_ = {loopback, distinct_tcp_port()}) + "]\n";
        listen += "tls: {certificate: " + certificate_ + ", private_key: " + private_key_ + ", self_signed: true}\n";
    }
    const std::uint16_t relay_min = settings.relay_port_min ? settings.relay_port_min : random_relay_block();
    std::ofstream(config_path_) << base_config(settings.relay_ranges, relay_min, settings.relay_port_count, settings.log_format, settings.log_level,
                                            settings.admin_token.empty() ? "" : ", token: \"" + settings.admin_token + "\"",
                                            settings.workers) << listen
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
    // "admin listening on 127.0.0.1:PORT": the port the kernel picked.
    constexpr std::string_view admin_line = "admin listening on ";
    if (const auto at = log_.find(admin_line); at != std::string::npos) {
        const auto begin = at + admin_line.size();
        const auto end = log_.find_first_of(" \n", begin);
        if (auto a = TransportAddress::parse(log_.substr(begin, end - begin))) admin_ = *a;
    }
    // The engine under test must be the one that runs, not a fallback.
    const char* engine = std::getenv("HALLPASS_TEST_IO_ENGINE");
    if (engine && *engine && log_.find(std::string("io_engine=") + engine) == std::string::npos)
        throw std::runtime_error(std::string("hallpass is not running the ") + engine + " engine:\n" + log_);
}

ServerProcess::~ServerProcess() {
    stop();
    if (out_fd_ >= 0) ::close(out_fd_);
    std::filesystem::remove_all(dir_);
}

void ServerProcess::signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
}

long resident_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

std::size_t open_files(pid_t pid) {
    const auto dir = std::filesystem::path("/proc") / std::to_string(pid) / "fd";
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

std::uint16_t free_tcp_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
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

void ServerProcess::drain() {
    while (read_more(std::chrono::milliseconds(0))) {
    }
}

std::optional<int> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pid_ > 0) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            drain();
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        read_more(std::chrono::milliseconds(20));
    }
    return std::nullopt;
}

int ServerProcess::stop() {
    if (pid_ <= 0) return 0;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    while (read_more(std::chrono::milliseconds(0))) {
    }
    // In the sanitizer build (HALLPASS_SANITIZE) the server reports what it finds on its
    // output and aborts; a test must not pass over that.
    for (const char* finding : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"})
        if (log_.find(finding) != std::string::npos) ADD_FAILURE() << "the server reported: " << finding << "\n" << log_;
    return status;
}

}  // namespace hallpass::testing
