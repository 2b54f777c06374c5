#include "relay/drain.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "relay/worker.hpp"

namespace hallpass::relay {

namespace {
constexpr std::chrono::milliseconds check_interval{250};
}

Drain::Drain(boost::asio::io_context& control, std::vector<Worker*> workers, std::function<void()> stop)
    : timer_(control), workers_(std::move(workers)), stop_(std::move(stop)) {}

bool Drain::start(std::chrono::seconds timeout) {
    if (active_) return false;
    active_ = true;
    deadline_ = std::chrono::steady_clock::now() + timeout;
    for (Worker* w : workers_) w->start_draining();
    spdlog::info("draining: new allocations go to the alternates; {} allocation(s) left; exiting when they end "
                 "or in {} s",
                 allocations_now(workers_), timeout.count());
    // The first check comes a moment later: the answer to POST /drain goes out first.
    schedule();
    return true;
}

void Drain::schedule() {
    timer_.expires_after(check_interval);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) check();
    });
}

// The count is trusted only once every worker has switched: before that, one could still
// be making an allocation that the count has not seen.
void Drain::check() {
    const bool switched = std::all_of(workers_.begin(), workers_.end(), [](Worker* w) { return w->drain_started(); });
    const auto left = allocations_now(workers_);
    if (switched && left == 0) {
        spdlog::info("drained: no allocations left; stopping");
        return stop_();
    }
    if (std::chrono::steady_clock::now() >= deadline_) {
        spdlog::warn("drain_timeout passed with {} allocation(s) left; stopping", left);
        return stop_();
    }
    schedule();
}

}  // namespace hallpass::relay
