#include "relay/service_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <fmt/format.h>

#include <algorithm>

#include "relay/worker.hpp"

namespace hallpass::relay {

namespace {
constexpr std::chrono::seconds status_interval{5};
}

ServiceNotifier::ServiceNotifier(boost::asio::io_context& control, std::vector<Worker*> workers)
    : timer_(control), workers_(std::move(workers)) {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0) watchdog_ = std::chrono::microseconds(usec);
}

void ServiceNotifier::ready() { sd_notify(0, "READY=1"); }

void ServiceNotifier::reloading() {
    // MONOTONIC_USEC lets a Type=notify-reload unit match the reload to its request.
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(now.tv_nsec) / 1000;
    sd_notify(0, fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec).c_str());
}

void ServiceNotifier::stopping() {
    timer_.cancel();
    sd_notify(0, "STOPPING=1");
}

void ServiceNotifier::status(const std::string& line) {
    if (line == status_) return;
    status_ = line;
    sd_notify(0, ("STATUS=" + line).c_str());
}

void ServiceNotifier::start() { tick(); }

// The watchdog is fed only while every worker has turned its loop within the watchdog
// interval: a worker stuck on its thread stops the feeding, and systemd restarts the service.
void ServiceNotifier::tick() {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_status_) {
        std::uint64_t allocations = allocations_now(workers_);
        status(fmt::format("{} allocation(s)", allocations));
        next_status_ = now + status_interval;
    }
    auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(status_interval);
    if (watchdog_.count() > 0) {
        const bool alive = std::all_of(workers_.begin(), workers_.end(), [&](const Worker* w) {
            return now - w->last_turn() < watchdog_;
        });
        if (alive) sd_notify(0, "WATCHDOG=1");
        for (Worker* w : workers_) w->request_heartbeat();
        interval = std::min(interval, std::chrono::duration_cast<std::chrono::steady_clock::duration>(watchdog_ / 4));
    }
    timer_.expires_after(interval);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) tick();
    });
}

}  // namespace hallpass::relay
