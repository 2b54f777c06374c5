// At log level debug, one line for each request a client sends and one for the answer it
// gets: method, client, transport, user, and the answer's class and error code. Nothing is
// built unless debug is on; media (ChannelData, Send indications) is not traced.
#pragma once

#include <spdlog/spdlog.h>

#include <span>

#include "alloc/allocation.hpp"
#include "turn/turn_server.hpp"

namespace hallpass::relay {

void trace_request_and_answer(const alloc::FiveTuple& from, std::span<const std::uint8_t> request,
                              const turn::ClientAction& action);

// On the packet path: one relaxed load of the log level when debug is off.
inline void trace_exchange(const alloc::FiveTuple& from, std::span<const std::uint8_t> request,
                           const turn::ClientAction& action) {
    if (spdlog::should_log(spdlog::level::debug)) trace_request_and_answer(from, request, action);
}

}  // namespace hallpass::relay
