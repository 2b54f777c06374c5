// Worker: one thread's share of the relay (DESIGN.md "Threads and ownership"). The engine
// behind it is chosen at start; every engine drives the same sans-IO TurnServer.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "relay/datagram_io.hpp"
#include "relay/listener_sockets.hpp"
#include "relay/runtime_snapshot.hpp"
#include "relay/session_info.hpp"
#include "relay/stream_counters.hpp"
#include "turn/turn_counters.hpp"

namespace hallpass::relay {

class SharedState;

class Worker {
public:
    virtual ~Worker() = default;
    // Runs the event loop until stop(); ends the worker's allocations on the way out.
    virtual void run() = 0;
    // Safe from any thread.
    virtual void stop() = 0;
    // Switches to `snapshot` at the worker's next loop turn; safe from any thread. What is
    // made from then on follows it; existing allocations and connections go on as they are.
    // Listeners follow its `listen`: `added` are the worker's sockets for the new addresses;
    // a removed TCP/TLS listener accepts no more, and a removed UDP one answers only the
    // allocations made through it, and closes when the last of them ends. The future is
    // ready once the worker has switched.
    virtual std::future<void> adopt(SnapshotPtr snapshot, ListenerSockets added) = 0;

    // From any thread: new Allocates go to an alternate from the next loop turn on (see
    // TurnServer::set_draining); drain_started() says when the worker has switched.
    virtual void start_draining() = 0;
    virtual bool drain_started() const = 0;

    // The systemd watchdog: asks the loop to note the time at its next turn (any thread),
    // and when it last did.
    virtual void request_heartbeat() = 0;
    virtual std::chrono::steady_clock::time_point last_turn() const = 0;

    // The admin API, from the control thread: answered on the worker's thread at its next
    // loop turn. `user` empty: every session.
    virtual std::future<std::vector<SessionInfo>> sessions(std::string user) = 0;
    // Ends one allocation, or (id empty) every one of `user`; how many ended.
    virtual std::future<std::size_t> disconnect(std::optional<alloc::AllocationId> id, std::string user) = 0;

    // What the worker has counted, for a metrics scrape from another thread.
    virtual const turn::TurnCounters& turn_counters() const = 0;
    virtual const StreamCounters& stream_counters() const = 0;
    virtual EngineDrops engine_drops() const = 0;
    virtual std::string_view engine_name() const = 0;
};

// Allocations held now over all `workers`, from their counters (safe from any thread).
std::uint64_t allocations_now(const std::vector<Worker*>& workers);

enum class EngineKind { epoll, io_uring };

// Binds the worker's listener sockets now, so that a bind failure stops the start with its
// reason. io_uring: throws EngineUnavailable when the kernel refuses it.
std::unique_ptr<Worker> make_worker(unsigned index, SharedState& shared, EngineKind engine);

}  // namespace hallpass::relay
