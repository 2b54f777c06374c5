// What a reload changes: the sections of a newly loaded Config that differ from the running
// one, split into those that apply live and those that need a restart (the number of
// workers, the I/O engine, the account the process runs as, the admin listener, and — for
// now — the TURN listeners and connections_ipv6_prefix, whose counts are keyed by it). The
// running values of the latter are kept, so the rest of the file still applies.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace hallpass::config {

struct ConfigChanges {
    std::vector<std::string> applied;       // keys such as "auth.secrets", "peers.allow"
    std::vector<std::string> needs_restart;  // "workers (2 -> 4)"
};

ConfigChanges diff_config(const Config& running, const Config& next);

// `next` with the running values of every key that needs a restart.
Config keep_restart_only(Config next, const Config& running);

}  // namespace hallpass::config
