// What the admin API shows of one allocation (GET /sessions), and how it names it: the
// worker that holds it and its slot and generation, e.g. "1-12-3".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "alloc/allocation.hpp"

namespace hallpass::relay {

struct SessionId {
    unsigned worker = 0;
    alloc::AllocationId allocation;

    std::string to_string() const;
    static std::optional<SessionId> parse(std::string_view text);
};

struct SessionInfo {
    SessionId id;
    std::string user;  // the USERNAME it authenticated with
    alloc::Transport transport = alloc::Transport::udp;
    TransportAddress client;
    TransportAddress relay;  // as told to the client (advertised)
    double age_seconds = 0;
    std::uint64_t bytes_to_peers = 0;
    std::uint64_t bytes_to_client = 0;
    std::size_t permissions = 0;
    std::size_t channels = 0;
};

}  // namespace hallpass::relay
