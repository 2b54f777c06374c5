#include "bench/event_loop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>

namespace hallpass::bench {

EventLoop::EventLoop() : epfd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epfd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
}

EventLoop::~EventLoop() {
    if (epfd_ >= 0) ::close(epfd_);
}

void EventLoop::add(int fd, Pollable* owner, std::uint32_t events) {
    epoll_event e{};
    e.events = events;
    e.data.ptr = owner;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &e) != 0)
        throw std::runtime_error(std::string("epoll_ctl add: ") + std::strerror(errno));
}

void EventLoop::modify(int fd, Pollable* owner, std::uint32_t events) {
    epoll_event e{};
    e.events = events;
    e.data.ptr = owner;
    ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &e);
}

void EventLoop::remove(int fd) { ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

int EventLoop::run_once(std::int64_t timeout_ns) {
    if (!again_.empty()) timeout_ns = 0;
    if (timeout_ns < 0) timeout_ns = 0;
    std::array<epoll_event, 256> events;
    timespec t{static_cast<time_t>(timeout_ns / 1000000000), static_cast<long>(timeout_ns % 1000000000)};
    const int n = ::epoll_pwait2(epfd_, events.data(), static_cast<int>(events.size()), &t, nullptr);
    running_.swap(again_);
    again_.clear();
    for (auto* p : running_) p->on_event(EPOLLIN);
    const int handled = static_cast<int>(running_.size());
    running_.clear();
    if (n <= 0) return handled;
    for (int i = 0; i < n; ++i) static_cast<Pollable*>(events[i].data.ptr)->on_event(events[i].events);
    return n + handled;
}

}  // namespace hallpass::bench
