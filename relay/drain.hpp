// Drain: taking a node out of service without dropping a lesson. SIGUSR1 or POST /drain
// starts it: every worker sends new Allocates to an alternate node (300 Try Alternate; 403
// when none is configured), /readyz turns 503, and existing allocations go on. The process
// exits with status 0 once the last allocation has ended, or when drain_timeout has passed.
// Runs on the control thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <vector>

namespace hallpass::relay {

class Worker;

class Drain {
public:
    // `stop` ends the process the way SIGTERM does.
    Drain(boost::asio::io_context& control, std::vector<Worker*> workers, std::function<void()> stop);

    // Starts draining; a second call changes nothing. False when already draining.
    bool start(std::chrono::seconds timeout);
    bool active() const { return active_; }
    // The process stops for another reason (SIGTERM): no more checks.
    void cancel() { timer_.cancel(); }
    std::chrono::steady_clock::time_point deadline() const { return deadline_; }

private:
    void schedule();
    void check();

    boost::asio::steady_timer timer_;
    std::vector<Worker*> workers_;
    std::function<void()> stop_;
    bool active_ = false;
    std::chrono::steady_clock::time_point deadline_{};
};

}  // namespace hallpass::relay
