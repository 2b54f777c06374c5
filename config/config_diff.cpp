#include "config/config_diff.hpp"

#include <algorithm>

namespace hallpass::config {
namespace {

template <class T>
void compare(std::vector<std::string>& out, const char* key, const T& a, const T& b) {
    if (!(a == b)) out.emplace_back(key);
}

std::string number(std::uint32_t n, const char* zero) { return n == 0 ? zero : std::to_string(n); }

std::vector<TransportAddress> stream_addresses(const ListenConfig& l) {
    std::vector<TransportAddress> out;
    for (const auto* list : {&l.tcp, &l.tls})
        for (const auto& s : *list) out.push_back(s.address);
    return out;
}

// What is in `a` and not in `b`, in `a`'s order.
std::vector<TransportAddress> missing_from(const std::vector<TransportAddress>& a,
                                           const std::vector<TransportAddress>& b) {
    std::vector<TransportAddress> out;
    for (const auto& x : a)
        if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
    return out;
}

}  // namespace

ConfigChanges diff_config(const Config& running, const Config& next) {
    ConfigChanges c;
    auto& a = c.applied;
    compare(a, "realm", running.realm, next.realm);
    compare(a, "software", running.software, next.software);
    compare(a, "server_name", running.server_name, next.server_name);
    compare(a, "auth.users", running.auth.users, next.auth.users);
    compare(a, "auth.secrets", running.auth.secrets, next.auth.secrets);
    compare(a, "auth.nonce_lifetime", running.auth.nonce_lifetime, next.auth.nonce_lifetime);
    compare(a, "auth.credential_ttl", running.auth.credential_ttl, next.auth.credential_ttl);
    compare(a, "auth.max_credential_lifetime", running.auth.max_credential_lifetime,
            next.auth.max_credential_lifetime);
    compare(a, "peers.allow", running.peers.allow, next.peers.allow);
    compare(a, "peers.deny", running.peers.deny, next.peers.deny);
    compare(a, "limits", running.limits, next.limits);
    compare(a, "log.level", running.log.level, next.log.level);
    compare(a, "log.format", running.log.format, next.log.format);
    compare(a, "tls", running.tls.certificate + running.tls.private_key,
            next.tls.certificate + next.tls.private_key);
    compare(a, "admin.listen", running.admin.listen, next.admin.listen);
    compare(a, "admin.token", running.admin.token, next.admin.token);
    compare(a, "alternates", running.alternates, next.alternates);
    compare(a, "check", running.check, next.check);
    compare(a, "drain_timeout", running.drain_timeout, next.drain_timeout);
    compare(a, "watch_files", running.watch_files, next.watch_files);
    compare(a, "relay.ranges", running.relay.ranges, next.relay.ranges);
    compare(a, "relay.ports", running.relay.ports, next.relay.ports);
    compare(a, "relay.advertise", running.relay.advertise, next.relay.advertise);
    compare(a, "listen", running.listen, next.listen);
    compare(a, "unsafe_development_config_on_network", running.unsafe_development_config_on_network,
            next.unsafe_development_config_on_network);

    auto& r = c.needs_restart;
    if (running.workers != next.workers)
        r.push_back("workers (" + number(running.workers, "auto") + " -> " + number(next.workers, "auto") + ")");
    if (running.io_engine != next.io_engine)
        r.push_back("io_engine (" + std::string(to_string(running.io_engine)) + " -> " +
                    std::string(to_string(next.io_engine)) + ")");
    if (running.user != next.user || running.group != next.group) r.emplace_back("user/group");
    return c;
}

Config keep_restart_only(Config next, const Config& running) {
    next.workers = running.workers;
    next.io_engine = running.io_engine;
    next.user = running.user;
    next.group = running.group;
    return next;
}

ListenerChanges listener_changes(const ListenConfig& running, const ListenConfig& next) {
    const auto running_streams = stream_addresses(running);
    const auto next_streams = stream_addresses(next);
    return {missing_from(next.udp, running.udp), missing_from(running.udp, next.udp),
            missing_from(next_streams, running_streams), missing_from(running_streams, next_streams)};
}

const StreamListener* find_stream_listener(const ListenConfig& listen, const TransportAddress& address,
                                           bool* tls) {
    for (const auto* list : {&listen.tcp, &listen.tls})
        for (const auto& l : *list)
            if (l.address == address) {
                *tls = list == &listen.tls;
                return &l;
            }
    return nullptr;
}

}  // namespace hallpass::config
