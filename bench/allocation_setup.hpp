// Setting allocations up in bulk: sessions with their credentials, and one setup step
// (Allocate, ChannelBind, CreatePermission) run over many sessions with a bounded number
// in flight, retransmitting on UDP, until every session has succeeded or failed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/scenario.hpp"
#include "bench/session.hpp"

namespace hallpass::bench {

using Sessions = std::vector<std::unique_ptr<Session>>;

// `count` sessions numbered from `first_index`. With --secret each gets its own TURN REST
// username "<now+3600>:bench-<index>".
Sessions make_sessions(Context& c, std::uint32_t count, std::uint32_t first_index = 0);
// The same, each session with the endpoint (server address and transport) of its index.
Sessions make_sessions(Context& c, std::uint32_t count, std::uint32_t first_index,
                       const std::function<Endpoint(std::uint32_t index)>& endpoint_of);

struct StepResult {
    std::uint32_t succeeded = 0;
    std::uint32_t failed = 0;
    std::string first_failure;
    std::int64_t started_ns = 0;
    std::int64_t finished_ns = 0;   // when the last session finished
    std::int64_t slowest_ns = 0;    // the longest step among those that succeeded
};

using StepStarter = std::function<void(Session&, std::int64_t now_ns)>;

// Starts `start` on each session, at most c.options.in_flight at once, and runs the loop
// until all are done (or 60 s pass). `label` names the step on the progress line.
StepResult run_step(Context& c, const Sessions& sessions, const StepStarter& start, std::string_view label);

// Throws BenchError naming the first failure when any session failed.
void require_all(const StepResult& r, std::string_view what);
// As require_all, and a 403 (the server's peer policy) is explained as such.
void require_peer_allowed(const StepResult& r, const TransportAddress& peer, std::string_view what);

// Allocate on every session; then, when peer_of gives one, ChannelBind (channel 0x4000).
void allocate_and_bind(Context& c, const Sessions& sessions,
                       const std::function<TransportAddress(std::uint32_t index)>& peer_of);

// Best-effort Refresh(0) for every UDP session, then a short drain of the loop.
void release_all(Context& c, const Sessions& sessions);

}  // namespace hallpass::bench
