// The real `hallpass serve` in a child process, on a config the test writes: started, waited
// for until it prints "hallpass ready" (no sleeps), and stopped with SIGTERM.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>

#include "stun/transport_address.hpp"

namespace hallpass::testing {

struct ServerSettings {
    std::string extra_yaml;  // appended to the base config: limits, auth, peers...
    std::uint16_t relay_port_min = 0;  // 0: a random 500-port block
    std::uint16_t relay_port_count = 500;
    bool tcp = false;        // a TCP listener
    bool tls = false;        // a TLS listener with a self-signed certificate made at start
    bool proxied_tcp = false;  // a TCP listener with proxy_protocol: true
    std::string proxy_trusted = "\"127.0.0.0/8\"";  // its `trusted` list's items
    std::string log_format = "text";
    std::string relay_ranges = "\"127.0.0.1/32\"";  // the YAML list's items
    std::string log_level = "info";
    std::string admin_token = {};  // admin.token; the admin listener is on a port the kernel picks
    unsigned workers = 2;
};

class ServerProcess {
public:
    explicit ServerProcess(const ServerSettings& settings = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    const TransportAddress& address() const { return address_; }  // UDP
    const TransportAddress& tcp_address() const { return tcp_; }
    const TransportAddress& tls_address() const { return tls_; }
    const TransportAddress& proxied_tcp_address() const { return proxied_; }
    const TransportAddress& admin_address() const { return admin_; }
    const std::string& certificate_path() const { return certificate_; }
    const std::string& private_key_path() const { return private_key_; }
    pid_t pid() const { return pid_; }
    const std::string& config_path() const { return config_path_; }
    void signal(int sig);
    // Waits for a log line containing `text`; the whole log so far is kept in log().
    bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout);
    const std::string& log() const { return log_; }
    // Reads what the server has logged so far into log(): a long test must, or the server
    // blocks once its output pipe is full.
    void drain();
    // SIGTERM and wait; returns the exit status.
    int stop();
    // Waits for the process to exit on its own (a drain); its exit status, or nullopt if it
    // is still running after `timeout`.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);

private:
    bool read_more(std::chrono::milliseconds timeout);

    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string config_path_;
    std::string log_;
    TransportAddress address_, tcp_, tls_, proxied_, admin_;
    std::string dir_, certificate_, private_key_;
};

// A TCP port that was free a moment ago.
std::uint16_t free_tcp_port();

// What a process holds, from /proc: resident memory in KiB, and open files.
long resident_kib(pid_t pid);
std::size_t open_files(pid_t pid);

}  // namespace hallpass::testing
