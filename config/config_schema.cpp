// The hallpass config schema, one small reader per section; see config_schema.hpp and the
// commented sample config/hallpass.default.yaml.
#include "config/config_schema.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "config/cidr_text.hpp"

namespace hallpass::config::detail {
namespace {

constexpr std::uint32_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();

TransportAddress read_transport_address(const Field& f) {
    const std::string text = read_required_string(f);
    const auto address = TransportAddress::parse(text);
    if (!address) f.fail("must be ip:port or [ipv6]:port (got \"" + text + "\")");
    if (address->port == 0) f.fail("port must be between 1 and 65535 (got 0)");
    return *address;
}

IpAddress read_ip(const Field& f) {
    const std::string text = read_required_string(f);
    const auto ip = IpAddress::parse(text);
    if (!ip) f.fail("must be an IPv4 or IPv6 address (got \"" + text + "\")");
    return *ip;
}

std::vector<TransportAddress> read_addresses(const Field& f) {
    std::vector<TransportAddress> out;
    for (const Field& item : read_list(f)) {
        const auto address = read_transport_address(item);
        // Two sockets on one address would fail later with a vaguer EADDRINUSE.
        if (std::find(out.begin(), out.end(), address) != out.end())
            item.fail("duplicate address " + address.to_string());
        out.push_back(address);
    }
    return out;
}

std::vector<std::string> read_cidrs(const Field& f) {
    std::vector<std::string> out;
    for (const Field& item : read_list(f)) {
        const std::string text = read_required_string(item);
        const CidrParse parsed = parse_cidr_text(text);
        if (!parsed.block) item.fail("bad CIDR block: " + parsed.error + " (got \"" + text + "\")");
        out.push_back(text);
    }
    return out;
}

ListenConfig read_listen(const Field& f) {
    const Section s(f, {"udp", "tcp", "tls"});
    ListenConfig listen{read_addresses(s["udp"]), read_addresses(s["tcp"]),
                        read_addresses(s["tls"])};
    if (listen.udp.empty() && listen.tcp.empty() && listen.tls.empty())
        f.origin->fail(f.path, {s["udp"].path, s["tcp"].path, s["tls"].path},
                       "needs at least one udp, tcp or tls address");
    return listen;
}

// Default: the first listener's IP, so printed URLs work on a one-machine setup.
// An IPv6 literal is kept without brackets; URL printing adds them.
std::string read_server_name(const Field& f, const ListenConfig& listen) {
    if (f.present()) {
        const std::string name = read_required_string(f);
        if (name.find_first_of(" \t/") != std::string::npos)
            f.fail("must be a host name or IP address (got \"" + name + "\")");
        return name;
    }
    for (const auto* list : {&listen.udp, &listen.tcp, &listen.tls})
        if (!list->empty()) return list->front().ip.to_string();
    return {};
}

PortRange read_ports(const Field& f) {
    const Section s(f, {"min", "max"});
    const Field min_field = s["min"];
    const Field max_field = s["max"];
    const PortRange defaults;
    PortRange ports{static_cast<std::uint16_t>(read_uint(min_field, 1, 65535, defaults.min)),
                    static_cast<std::uint16_t>(read_uint(max_field, 1, 65535, defaults.max))};
    if (ports.min > ports.max)
        f.origin->fail(min_field.path, {min_field.path, max_field.path},
                       "must not be greater than " + max_field.path + " (" +
                           std::to_string(ports.max) + ") (got " + std::to_string(ports.min) + ")");
    return ports;
}

AdvertiseEntry read_advertise_entry(const Field& f, const std::vector<std::string>& ranges) {
    const Section s(f, {"bound", "public"});
    const Field bound_field = s["bound"];
    AdvertiseEntry entry{read_ip(bound_field), read_ip(s["public"])};
    if (entry.bound.family != entry.public_ip.family)
        f.fail("bound and public must be the same address family (got " + entry.bound.to_string() +
               " and " + entry.public_ip.to_string() + ")");
    const bool in_range = std::any_of(ranges.begin(), ranges.end(), [&](const std::string& r) {
        return parse_cidr_text(r).block->contains(entry.bound);
    });
    // Only addresses drawn from the relay ranges are ever bound, so any other would
    // never match: almost surely a typo.
    if (!in_range)
        bound_field.fail("must lie in one of relay.ranges (got " + entry.bound.to_string() + ")");
    return entry;
}

std::vector<AdvertiseEntry> read_advertise(const Field& f, const std::vector<std::string>& ranges) {
    std::vector<AdvertiseEntry> out;
    for (const Field& item : read_list(f)) {
        auto entry = read_advertise_entry(item, ranges);
        const bool seen = std::any_of(out.begin(), out.end(), [&](const AdvertiseEntry& e) {
            return e.bound == entry.bound;
        });
        if (seen) item.fail("bound address " + entry.bound.to_string() + " is listed twice");
        out.push_back(entry);
    }
    return out;
}

RelayConfig read_relay(const Field& f) {
    const Section s(f, {"ranges", "ports", "advertise"});
    RelayConfig relay;
    const Field ranges = s["ranges"];
    if (!ranges.present()) ranges.fail("required key is missing");
    relay.ranges = read_cidrs(ranges);
    if (relay.ranges.empty()) ranges.fail("must list at least one CIDR block");
    relay.ports = read_ports(s["ports"]);
    relay.advertise = read_advertise(s["advertise"], relay.ranges);
    return relay;
}

std::vector<User> read_users(const Field& f) {
    std::vector<User> users;
    std::set<std::string> names;
    for (const Field& item : read_list(f)) {
        const Section s(item, {"name", "password"});
        User user{read_required_string(s["name"]), read_required_string(s["password"])};
        if (!names.insert(user.name).second)
            s["name"].fail("user \"" + user.name + "\" is listed twice");
        users.push_back(std::move(user));
    }
    return users;
}

std::vector<std::string> read_secrets(const Field& f) {
    std::vector<std::string> secrets;
    for (const Field& item : read_list(f)) secrets.push_back(read_required_string(item));
    return secrets;
}

AuthConfig read_auth(const Field& f) {
    const Section s(f, {"users", "secrets", "nonce_lifetime", "credential_ttl"});
    const AuthConfig defaults;
    AuthConfig auth{read_users(s["users"]), read_secrets(s["secrets"]),
                    read_uint(s["nonce_lifetime"], 1, 86400, defaults.nonce_lifetime),
                    read_uint(s["credential_ttl"], 60, 30 * 86400, defaults.credential_ttl)};
    // Without either, no request could ever authenticate.
    if (auth.users.empty() && auth.secrets.empty())
        f.origin->fail(f.path, {s["users"].path, s["secrets"].path},
                       "needs at least one user (auth.users) or one secret (auth.secrets)");
    return auth;
}

PeerConfig read_peers(const Field& f) {
    const Section s(f, {"allow", "deny"});
    return PeerConfig{read_cidrs(s["allow"]), read_cidrs(s["deny"])};
}

LimitsConfig read_limits(const Field& f) {
    const Section s(f, {"allocations_total", "allocations_per_user", "default_lifetime",
                        "max_lifetime", "permission_lifetime", "channel_lifetime"});
    const LimitsConfig d;
    const Field default_field = s["default_lifetime"];
    const Field max_field = s["max_lifetime"];
    LimitsConfig limits{read_uint(s["allocations_total"], 0, kMaxU32, d.allocations_total),
                        read_uint(s["allocations_per_user"], 0, kMaxU32, d.allocations_per_user),
                        read_uint(default_field, 1, 86400, d.default_lifetime),
                        read_uint(max_field, 1, 86400, d.max_lifetime),
                        read_uint(s["permission_lifetime"], 1, 3600, d.permission_lifetime),
                        read_uint(s["channel_lifetime"], 1, 3600, d.channel_lifetime)};
    if (limits.default_lifetime > limits.max_lifetime)
        f.origin->fail(default_field.path, {default_field.path, max_field.path},
                       "must not be greater than " + max_field.path + " (" +
                           std::to_string(limits.max_lifetime) + ") (got " +
                           std::to_string(limits.default_lifetime) + ")");
    return limits;
}

LogConfig read_log(const Field& f) {
    const Section s(f, {"level", "format"});
    const LogConfig d;
    using L = LogLevel;
    return LogConfig{
        read_choice<L>(s["level"],
                       {{"trace", L::trace},
                        {"debug", L::debug},
                        {"info", L::info},
                        {"warn", L::warn},
                        {"error", L::error},
                        {"critical", L::critical},
                        {"off", L::off}},
                       d.level),
        read_choice<LogFormat>(s["format"], {{"text", LogFormat::text}, {"json", LogFormat::json}},
                               d.format)};
}

IoEngine read_io_engine(const Field& f) {
    return read_choice<IoEngine>(f,
                                 {{"auto", IoEngine::automatic},
                                  {"epoll", IoEngine::epoll},
                                  {"io_uring", IoEngine::io_uring}},
                                 IoEngine::automatic);
}

}  // namespace

Config read_config(const Field& root) {
    const Section s(root, {"realm", "software", "server_name", "listen", "relay", "auth", "peers",
                           "limits", "workers", "io_engine", "log"});
    Config c;
    c.source = root.origin->file();
    c.realm = read_required_string(s["realm"]);
    c.software = read_string(s["software"]).value_or(c.software);
    c.listen = read_listen(s["listen"]);
    c.server_name = read_server_name(s["server_name"], c.listen);
    c.relay = read_relay(s["relay"]);
    c.auth = read_auth(s["auth"]);
    c.peers = read_peers(s["peers"]);
    c.limits = read_limits(s["limits"]);
    c.workers = read_uint(s["workers"], 0, 256, c.workers);  // 0 = one per core
    c.io_engine = read_io_engine(s["io_engine"]);
    c.log = read_log(s["log"]);
    return c;
}

}  // namespace hallpass::config::detail
