// A single-threaded epoll loop over non-blocking sockets (level-triggered). Each socket's
// owner derives from Pollable; the loop hands it the ready events. Nothing else runs on
// other threads, so the bench can be pinned to one core with taskset.
#pragma once

#include <cstdint>
#include <vector>

namespace hallpass::bench {

class Pollable {
public:
    virtual ~Pollable() = default;
    virtual void on_event(std::uint32_t events) = 0;
};

class EventLoop {
public:
    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    void add(int fd, Pollable* owner, std::uint32_t events);
    void modify(int fd, Pollable* owner, std::uint32_t events);
    void remove(int fd);
    // A Pollable with work left over (TLS records already decrypted, a read cut short)
    // asks to be called again on the next turn, whatever epoll says.
    void call_again(Pollable* p) { again_.push_back(p); }
    // Waits at most timeout_ns (0: just poll) and dispatches what is ready. Returns the
    // number of events handled.
    int run_once(std::int64_t timeout_ns);

private:
    int epfd_ = -1;
    std::vector<Pollable*> again_;
    std::vector<Pollable*> running_;
};

}  // namespace hallpass::bench
