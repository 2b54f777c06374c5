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

// "ip:port", or {address: "ip:port", proxy_protocol: true} for a listener behind a load
// balancer that speaks the PROXY protocol.
StreamListener read_stream_listener(const Field& f) {
    if (f.node.IsMap()) {
        const Section s(f, {"address", "proxy_protocol"});
        return StreamListener{read_transport_address(s["address"]),
                              read_bool(s["proxy_protocol"], false)};
    }
    if (!f.node.IsScalar())
        f.fail("must be ip:port or {address: ip:port, proxy_protocol: true} (got " +
               describe(f.node) + ")");
    return StreamListener{read_transport_address(f), false};
}

std::vector<StreamListener> read_stream_listeners(const Field& f) {
    std::vector<StreamListener> out;
    for (const Field& item : read_list(f)) {
        auto listener = read_stream_listener(item);
        const bool seen = std::any_of(out.begin(), out.end(), [&](const StreamListener& l) {
            return l.address == listener.address;
        });
        if (seen) item.fail("duplicate address " + listener.address.to_string());
        out.push_back(listener);
    }
    return out;
}

bool is_wildcard(const IpAddress& ip) { return ip == IpAddress{ip.family, {}}; }

// Two TCP sockets whose connections the kernel could mix up: the same port, and the same
// IP or a wildcard of the same family. (0.0.0.0:443 for TLS and 127.0.0.1:443 for TCP
// would both bind under SO_REUSEPORT, and loopback clients would silently get the other
// protocol.)
bool overlaps(const TransportAddress& a, const TransportAddress& b) {
    return a.port == b.port && a.ip.family == b.ip.family &&
           (a.ip == b.ip || is_wildcard(a.ip) || is_wildcard(b.ip));
}

// TCP and TLS are both TCP sockets, so one ip:port can only be one of them; UDP and TCP
// on one ip:port are different sockets and fine.
void check_tcp_tls_apart(const Field& tcp_field, const Field& tls_field,
                         const ListenConfig& listen) {
    for (std::size_t i = 0; i < listen.tls.size(); ++i) {
        const TransportAddress& tls = listen.tls[i].address;
        for (const StreamListener& tcp : listen.tcp) {
            if (!overlaps(tls, tcp.address)) continue;
            const std::string tls_path = tls_field.path + "[" + std::to_string(i) + "]";
            const std::string reason =
                tls == tcp.address
                    ? "address " + tls.to_string() + " is also in " + tcp_field.path +
                          " (one TCP port cannot serve both TCP and TLS)"
                    : "address " + tls.to_string() + " overlaps " + tcp_field.path + " address " +
                          tcp.address.to_string() + " (same port, and a wildcard address covers "
                          "both)";
            tls_field.origin->fail(tls_path, {tcp_field.path, tls_path}, reason);
        }
    }
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
    ListenConfig listen{read_addresses(s["udp"]), read_stream_listeners(s["tcp"]),
                        read_stream_listeners(s["tls"])};
    check_tcp_tls_apart(s["tcp"], s["tls"], listen);
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
    if (!listen.udp.empty()) return listen.udp.front().ip.to_string();
    for (const auto* list : {&listen.tcp, &listen.tls})
        if (!list->empty()) return list->front().address.ip.to_string();
    return {};
}

// A file path, made absolute (or at least joined) against the directory its origin
// implies; see PathBase. Never opened here.
std::string read_path(const Field& f, const PathBase& paths) {
    const std::filesystem::path path(read_required_string(f));
    const auto& base = f.origin->overridden(f.path) ? paths.current_dir : paths.file_dir;
    return (base / path).lexically_normal().string();
}

// When listen.tls is set, the relay needs a certificate and its key: given as paths, or
// made at start (self_signed), which only suits trying hallpass out.
TlsConfig read_tls(const Field& f, const std::string& listen_tls_path, const ListenConfig& listen,
                   const PathBase& paths) {
    const Section s(f, {"certificate", "private_key", "self_signed"});
    const Field cert_field = s["certificate"];
    const Field key_field = s["private_key"];
    const Field self_signed_field = s["self_signed"];
    TlsConfig tls;
    tls.self_signed = read_bool(self_signed_field, tls.self_signed);
    if (cert_field.present()) tls.certificate = read_path(cert_field, paths);
    if (key_field.present()) tls.private_key = read_path(key_field, paths);
    if (cert_field.present() != key_field.present()) {
        const Field& given = cert_field.present() ? cert_field : key_field;
        const Field& missing = cert_field.present() ? key_field : cert_field;
        f.origin->fail(missing.path, {given.path, missing.path},
                       "required when " + given.path + " is set");
    }
    if (cert_field.present()) return tls;
    if (tls.self_signed) {
        tls.certificate = (paths.file_dir / "selfsigned" / "hallpass.crt").string();
        tls.private_key = (paths.file_dir / "selfsigned" / "hallpass.key").string();
    } else if (!listen.tls.empty()) {
        f.origin->fail(cert_field.path, {listen_tls_path, cert_field.path, self_signed_field.path},
                       "required when " + listen_tls_path + " is set (or set " +
                           self_signed_field.path +
                           ": true to make a self-signed certificate, for trying hallpass only)");
    }
    return tls;
}

// The account to switch to after binding; only its syntax is checked here.
std::string read_account(const Field& f) {
    if (!f.present()) return {};
    return read_required_string(f);
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
                        "max_lifetime", "permission_lifetime", "channel_lifetime",
                        "connections_total", "connections_per_ip", "tls_handshake_timeout",
                        "idle_timeout", "stream_queue_bytes"});
    const LimitsConfig d;
    const Field default_field = s["default_lifetime"];
    const Field max_field = s["max_lifetime"];
    LimitsConfig limits;
    limits.allocations_total = read_uint(s["allocations_total"], 0, kMaxU32, d.allocations_total);
    limits.allocations_per_user =
        read_uint(s["allocations_per_user"], 0, kMaxU32, d.allocations_per_user);
    limits.default_lifetime = read_uint(default_field, 1, 86400, d.default_lifetime);
    limits.max_lifetime = read_uint(max_field, 1, 86400, d.max_lifetime);
    limits.permission_lifetime =
        read_uint(s["permission_lifetime"], 1, 3600, d.permission_lifetime);
    limits.channel_lifetime = read_uint(s["channel_lifetime"], 1, 3600, d.channel_lifetime);
    limits.connections_total = read_uint(s["connections_total"], 0, kMaxU32, d.connections_total);
    limits.connections_per_ip =
        read_uint(s["connections_per_ip"], 0, kMaxU32, d.connections_per_ip);
    limits.tls_handshake_timeout =
        read_uint(s["tls_handshake_timeout"], 1, 300, d.tls_handshake_timeout);
    limits.idle_timeout = read_uint(s["idle_timeout"], 1, 86400, d.idle_timeout);
    limits.stream_queue_bytes =
        read_uint(s["stream_queue_bytes"], 65536, 67108864, d.stream_queue_bytes);
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

Config read_config(const Field& root, const PathBase& paths) {
    const Section s(root, {"realm", "software", "server_name", "listen", "tls", "relay", "auth",
                           "peers", "limits", "workers", "io_engine", "log", "user", "group"});
    Config c;
    c.source = root.origin->file();
    c.realm = read_required_string(s["realm"]);
    c.software = read_string(s["software"]).value_or(c.software);
    c.listen = read_listen(s["listen"]);
    c.server_name = read_server_name(s["server_name"], c.listen);
    c.tls = read_tls(s["tls"], join_path(s["listen"].path, "tls"), c.listen, paths);
    c.relay = read_relay(s["relay"]);
    c.auth = read_auth(s["auth"]);
    c.peers = read_peers(s["peers"]);
    c.limits = read_limits(s["limits"]);
    c.workers = read_uint(s["workers"], 0, 256, c.workers);  // 0 = one per core
    c.io_engine = read_io_engine(s["io_engine"]);
    c.log = read_log(s["log"]);
    c.user = read_account(s["user"]);
    c.group = read_account(s["group"]);
    return c;
}

}  // namespace hallpass::config::detail
