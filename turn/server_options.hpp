// ServerOptions: the settings of the TURN core, taken from the validated Config by relay/.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "alloc/allocation_table.hpp"
#include "alloc/token_bucket.hpp"
#include "turn/reply_rate_limiter.hpp"

namespace hallpass::turn {

// Another node to send a new allocation to (300 Try Alternate, RFC 8489 §10), when this
// one drains or is full. `domain` (ALTERNATE-DOMAIN, §14.16) names the certificate a TLS
// client should expect there; empty for UDP and TCP.
struct Alternate {
    TransportAddress address;
    std::string domain;
};

// What an allocation made with probe credentials gets instead of the usual: a check needs
// a few seconds of classroom-rate media, not a lesson's worth.
struct ProbeLimits {
    std::uint32_t max_lifetime = 120;  // seconds, for Allocate and Refresh alike
    alloc::BandwidthLimit bandwidth{4'000'000};  // bits per second, each direction
};

struct ServerOptions {
    std::string software;  // SOFTWARE attribute on authenticated answers; empty to omit
    std::uint32_t default_lifetime = 600;     // RFC 8656 §7.2
    std::uint32_t max_lifetime = 3600;
    std::uint32_t permission_lifetime = 300;  // RFC 8656 §9
    std::uint32_t channel_lifetime = 600;     // RFC 8656 §12
    alloc::TableLimits table;                 // permissions and channels per allocation
    alloc::BandwidthLimit allocation_bandwidth;  // each direction of each allocation
    ReplyRateLimits unauthenticated_replies;  // UDP answers to requests that did not authenticate
    std::uint64_t seed = 0;                   // keys the rate limiter's hashing
    // By the transport the client reaches us on (alloc::Transport: udp, tcp, tls); taken in
    // turn, preferring the client's address family. At most 64 each (config/ checks).
    std::array<std::vector<Alternate>, 3> alternates;
    ProbeLimits probe;
};

}  // namespace hallpass::turn
