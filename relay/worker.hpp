// Worker: one thread's share of the relay (DESIGN.md "Threads and ownership"). The engine
// behind it is chosen at start; every engine drives the same sans-IO TurnServer.
#pragma once

#include <memory>
#include <string_view>

namespace hallpass::relay {

class SharedState;

class Worker {
public:
    virtual ~Worker() = default;
    // Runs the event loop until stop(); ends the worker's allocations on the way out.
    virtual void run() = 0;
    // Safe from any thread.
    virtual void stop() = 0;
    virtual std::string_view engine_name() const = 0;
};

enum class EngineKind { epoll, io_uring };

// Binds the worker's listener sockets now, so that a bind failure stops the start with its
// reason. io_uring: throws EngineUnavailable when the kernel refuses it.
std::unique_ptr<Worker> make_worker(unsigned index, SharedState& shared, EngineKind engine);

}  // namespace hallpass::relay
