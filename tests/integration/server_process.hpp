// The real `hallpass serve` in a child process, on a config the test writes: started, waited
// for until it prints "hallpass ready" (no sleeps), and stopped with SIGTERM.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>

#include "stun/transport_address.hpp"

namespace hallpass::testing {

struct ServerSettings {
    std::string extra_yaml;  // appended to the base config: limits, auth, peers...
    std::uint16_t relay_port_min = 0;  // 0: a random 500-port block
    std::uint16_t relay_port_count = 500;
};

class ServerProcess {
public:
    explicit ServerProcess(const ServerSettings& settings = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    const TransportAddress& address() const { return address_; }
    // Waits for a log line containing `text`; the whole log so far is kept in log().
    bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout);
    const std::string& log() const { return log_; }
    // SIGTERM and wait; returns the exit status.
    int stop();

private:
    bool read_more(std::chrono::milliseconds timeout);

    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string config_path_;
    std::string log_;
    TransportAddress address_;
};

}  // namespace hallpass::testing
