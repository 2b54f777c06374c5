// ServiceNotifier: what systemd hears from a Type=notify service (sd_notify, libsystemd):
// READY=1 once every listener is bound, RELOADING=1 and READY=1 around a reload,
// STOPPING=1, a STATUS= line with the allocations held, and WATCHDOG=1 while every worker's
// loop is turning (when the unit sets WatchdogSec=). Without NOTIFY_SOCKET it does nothing.
// Runs on the control thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace hallpass::relay {

class Worker;

class ServiceNotifier {
public:
    ServiceNotifier(boost::asio::io_context& control, std::vector<Worker*> workers);

    void ready();
    void reloading();
    void stopping();
    void status(const std::string& line);

    // Starts the STATUS and WATCHDOG timer.
    void start();
    void cancel() { timer_.cancel(); }

private:
    void tick();

    boost::asio::steady_timer timer_;
    std::vector<Worker*> workers_;
    std::chrono::microseconds watchdog_{0};  // 0: no watchdog asked for
    std::chrono::steady_clock::time_point next_status_{};
    std::string status_;
};

}  // namespace hallpass::relay
