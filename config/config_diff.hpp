// What a reload changes: the sections of a newly loaded Config that differ from the running
// one, split into those that apply live and those that need a restart (the number of
// workers, the I/O engine and the account the process runs as). The running values of the
// latter are kept, so the rest of the file still applies. For the TURN listeners, which change
// live, it also says which addresses open and which close.
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

// The listener addresses a reload opens and closes. A TCP or TLS listener is its address:
// one that turns from TCP to TLS, or changes its PROXY settings, keeps its socket, so its
// port is never closed and reopened.
struct ListenerChanges {
    std::vector<TransportAddress> udp_added;
    std::vector<TransportAddress> udp_removed;
    std::vector<TransportAddress> stream_added;
    std::vector<TransportAddress> stream_removed;

    bool empty() const {
        return udp_added.empty() && udp_removed.empty() && stream_added.empty() && stream_removed.empty();
    }
};

ListenerChanges listener_changes(const ListenConfig& running, const ListenConfig& next);

// The TCP or TLS entry of `listen` at `address`, and whether it is a TLS one; nullptr when
// there is none.
const StreamListener* find_stream_listener(const ListenConfig& listen, const TransportAddress& address,
                                           bool* tls);

}  // namespace hallpass::config
