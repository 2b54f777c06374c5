// The hallpass config schema, one small reader per section; see config_schema.hpp and the
// commented sample config/hallpass.default.yaml.
#include "config/config_schema.hpp"
#include "config/secrets_file.hpp"

#include <algorithm>
#include <limits>
#include <set>


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

std::vector<alloc::CidrBlock> read_cidrs(const Field& f);

// "ip:port", or {address: "ip:port", proxy_protocol: true, trusted: [CIDR, ...]} for a
// listener behind a load balancer that speaks the PROXY protocol: the header is believed
// only from `trusted` sources, so they must be named.
StreamListener read_stream_listener(const Field& f) {
    if (f.node.IsMap()) {
        const Section s(f, {"address", "proxy_protocol", "trusted"});
        StreamListener l{read_transport_address(s["address"]), read_bool(s["proxy_protocol"], false),
                         read_cidrs(s["trusted"])};
        if (l.proxy_protocol && l.trusted.empty())
            s["trusted"].fail("required with proxy_protocol: the addresses of the load balancers "
                              "allowed to send the PROXY header (e.g. [\"127.0.0.1/32\"]); anyone "
                              "else could claim any client address");
        if (!l.proxy_protocol && !l.trusted.empty())
            s["trusted"].fail("only means something with proxy_protocol: true");
        return l;
    }
    if (!f.node.IsScalar())
        f.fail("must be ip:port or {address: ip:port, proxy_protocol: true, trusted: [CIDR]} (got " +
               describe(f.node) + ")");
    return StreamListener{read_transport_address(f), false, {}};
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

// Two TCP sockets whose connections the kernel could mix up (sockets_overlap): 0.0.0.0:443
// for TLS and 127.0.0.1:443 for TCP would both bind under SO_REUSEPORT, and loopback
// clients would silently get the other protocol.
bool overlaps(const TransportAddress& a, const TransportAddress& b) { return sockets_overlap(a, b); }

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

std::vector<alloc::CidrBlock> read_cidrs(const Field& f) {
    std::vector<alloc::CidrBlock> out;
    for (const Field& item : read_list(f)) {
        const std::string text = read_required_string(item);
        const alloc::CidrParse parsed = alloc::CidrBlock::parse_with_reason(text);
        if (!parsed.block) item.fail("bad CIDR block: " + parsed.error + " (got \"" + text + "\")");
        out.push_back(*parsed.block);
    }
    return out;
}

ListenConfig read_listen(const Field& f) {
    const Section s(f, {"udp", "tcp", "tls"});
    ListenConfig listen{read_addresses(s["udp"]), read_stream_listeners(s["tcp"]),
                        read_stream_listeners(s["tls"])};
    check_tcp_tls_apart(s["tcp"], s["tls"], listen);
    // A load balancer that sends PROXY headers terminates TLS itself and forwards plain
    // TCP; a PROXY header in front of a ClientHello would fail every handshake.
    for (std::size_t i = 0; i < listen.tls.size(); ++i)
        if (listen.tls[i].proxy_protocol)
            f.origin->fail(s["tls"].path + "[" + std::to_string(i) + "].proxy_protocol",
                           "supported on tcp listeners only; put it on the plain TCP listener the "
                           "TLS-terminating proxy forwards to");
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

AdvertiseEntry read_advertise_entry(const Field& f, const std::vector<alloc::CidrBlock>& ranges) {
    const Section s(f, {"bound", "public"});
    const Field bound_field = s["bound"];
    AdvertiseEntry entry{read_ip(bound_field), read_ip(s["public"])};
    if (entry.bound.family != entry.public_ip.family)
        f.fail("bound and public must be the same address family (got " + entry.bound.to_string() +
               " and " + entry.public_ip.to_string() + ")");
    const bool in_range = std::any_of(ranges.begin(), ranges.end(), [&](const alloc::CidrBlock& r) {
        return r.contains(entry.bound);
    });
    // Only addresses drawn from the relay ranges are ever bound, so any other would
    // never match: almost surely a typo.
    if (!in_range)
        bound_field.fail("must lie in one of relay.ranges (got " + entry.bound.to_string() + ")");
    return entry;
}

std::vector<AdvertiseEntry> read_advertise(const Field& f, const std::vector<alloc::CidrBlock>& ranges) {
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
        // "<digits>:hallpass-check:..." is the school network check's own (turn/probe_credentials.hpp).
        const auto colon = user.name.find(':');
        if (colon != std::string::npos && colon > 0 &&
            user.name.find_first_not_of("0123456789") == colon &&
            user.name.compare(colon + 1, 15, "hallpass-check:") == 0)
            s["name"].fail("\"" + user.name + "\" has the form of the network check's own credentials "
                           "(EXPIRY:hallpass-check:...), which are reserved; choose another name");
        users.push_back(std::move(user));
    }
    return users;
}

std::vector<std::string> read_secrets(const Field& f) {
    std::vector<std::string> secrets;
    for (const Field& item : read_list(f)) secrets.push_back(read_required_string(item));
    return secrets;
}

AuthConfig read_auth(const Field& f, const PathBase& paths) {
    const Section s(f, {"users", "secrets", "secrets_file", "nonce_lifetime", "credential_ttl",
                        "max_credential_lifetime"});
    const AuthConfig defaults;
    AuthConfig auth;
    auth.users = read_users(s["users"]);
    auth.secrets = read_secrets(s["secrets"]);
    if (s["secrets_file"].present()) {
        auth.secrets_file = read_path(s["secrets_file"], paths);
        auto file = read_secrets_file(auth.secrets_file);
        if (!file.error.empty()) s["secrets_file"].fail(file.error);
        for (auto& secret : file.secrets) auth.secrets.push_back(std::move(secret));
    }
    auth.nonce_lifetime = read_uint(s["nonce_lifetime"], 1, 86400, defaults.nonce_lifetime);
    auth.credential_ttl = read_uint(s["credential_ttl"], 60, 30 * 86400, defaults.credential_ttl);
    const Field max_field = s["max_credential_lifetime"];
    auth.max_credential_lifetime = read_uint(max_field, 0, 365 * 86400, defaults.max_credential_lifetime);
    // Without either, no request could ever authenticate.
    if (auth.users.empty() && auth.secrets.empty())
        f.origin->fail(f.path, {s["users"].path, s["secrets"].path, s["secrets_file"].path},
                       "needs at least one user (auth.users) or one secret (auth.secrets or "
                       "auth.secrets_file)");
    // `hallpass credentials` would otherwise print credentials the server refuses.
    if (auth.max_credential_lifetime != 0 && auth.credential_ttl > auth.max_credential_lifetime)
        f.origin->fail(s["credential_ttl"].path, {s["credential_ttl"].path, max_field.path},
                       "must not be greater than " + max_field.path + " (" +
                           std::to_string(auth.max_credential_lifetime) + ") (got " +
                           std::to_string(auth.credential_ttl) + ")");
    return auth;
}

PeerConfig read_peers(const Field& f) {
    const Section s(f, {"allow", "deny"});
    return PeerConfig{read_cidrs(s["allow"]), read_cidrs(s["deny"])};
}

// "auto" (or absent): nullopt, worked out at start; else a count of at least 1.
std::optional<std::uint32_t> read_count_or_auto(const Field& f) {
    const auto text = read_string(f);
    if (!text || *text == "auto") return std::nullopt;
    if (*text == "0")
        f.fail("must be auto or at least 1 (0 no longer means unlimited: auto sizes the limit to "
               "the relay addresses and the open file limit)");
    if (text->find_first_not_of("0123456789") != std::string::npos || text->empty())
        f.fail("must be auto or a number of allocations (got " + describe(f.node) + ")");
    return read_uint(f, 1, kMaxU32, 1);
}

LimitsConfig read_limits(const Field& f) {
    const Section s(f, {"allocations_total", "allocations_per_user", "default_lifetime",
                        "max_lifetime", "permission_lifetime", "channel_lifetime",
                        "permissions_per_allocation", "channels_per_allocation", "allocation_bps",
                        "connections_total", "connections_per_ip", "connections_ipv6_prefix",
                        "tls_handshake_timeout", "idle_timeout", "stream_queue_bytes",
                        "unauthenticated_rate", "unauthenticated_burst"});
    const LimitsConfig d;
    const Field default_field = s["default_lifetime"];
    const Field max_field = s["max_lifetime"];
    LimitsConfig limits;
    limits.allocations_total = read_count_or_auto(s["allocations_total"]);
    limits.allocations_per_user =
        read_uint(s["allocations_per_user"], 0, kMaxU32, d.allocations_per_user);
    limits.permissions_per_allocation =
        read_uint(s["permissions_per_allocation"], 1, 65535, d.permissions_per_allocation);
    limits.channels_per_allocation =
        read_uint(s["channels_per_allocation"], 1, 16384, d.channels_per_allocation);
    limits.allocation_bps = read_uint(s["allocation_bps"], 0, kMaxU32, d.allocation_bps);
    limits.connections_ipv6_prefix =
        read_uint(s["connections_ipv6_prefix"], 32, 128, d.connections_ipv6_prefix);
    limits.unauthenticated_rate = read_uint(s["unauthenticated_rate"], 0, 1000000, d.unauthenticated_rate);
    limits.unauthenticated_burst = read_uint(s["unauthenticated_burst"], 1, 10000000, d.unauthenticated_burst);
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

bool is_loopback(const IpAddress& ip);

// "ip:port", or on tls {address: "ip:port", domain: "turn2.example.org"}.
std::vector<AlternateServer> read_alternate_list(const Field& f, bool tls) {
    std::vector<AlternateServer> out;
    for (const Field& item : read_list(f)) {
        if (!item.node.IsMap()) {
            out.push_back({read_transport_address(item), {}});
            continue;
        }
        const Section s(item, {"address", "domain"});
        if (!tls && s["domain"].present())
            s["domain"].fail("only for tls alternates (ALTERNATE-DOMAIN names a certificate)");
        AlternateServer a{read_transport_address(s["address"]), read_string(s["domain"]).value_or("")};
        if (a.domain.find_first_of(" \t/:") != std::string::npos || a.domain.size() > 255)
            s["domain"].fail("must be a host name (got \"" + a.domain + "\")");
        out.push_back(std::move(a));
    }
    if (out.size() > 64) f.fail("at most 64 alternates per transport (got " + std::to_string(out.size()) + ")");
    return out;
}

AlternatesConfig read_alternates(const Field& f) {
    const Section s(f, {"udp", "tcp", "tls"});
    return {read_alternate_list(s["udp"], false), read_alternate_list(s["tcp"], false),
            read_alternate_list(s["tls"], true)};
}

AdminConfig read_admin(const Field& f, const PathBase& paths) {
    const Section s(f, {"listen", "token", "token_file", "open_metrics"});
    AdminConfig a;
    if (const auto text = read_string(s["listen"])) {
        if (*text == "off") {
            a.listen.reset();
        } else {
            a.listen = TransportAddress::parse(*text);
            if (!a.listen) s["listen"].fail("must be ip:port, [ipv6]:port or off (got \"" + *text + "\")");
        }
    }
    a.token = read_string(s["token"]).value_or("");
    if (s["token_file"].present()) {
        if (!a.token.empty()) s["token_file"].fail("give admin.token or admin.token_file, not both");
        a.token_file = read_path(s["token_file"], paths);
        auto file = read_secrets_file(a.token_file);
        if (!file.error.empty()) s["token_file"].fail(file.error);
        a.token = file.secrets.front();
    }
    a.open_metrics = read_bool(s["open_metrics"], false);
    if (!a.token.empty() && a.token.size() < 16)
        s["token"].fail("must be at least 16 characters: it is all that guards the admin API");
    if (a.listen && !is_loopback(a.listen->ip) && a.token.empty())
        s["token"].fail("required when admin.listen (" + a.listen->to_string() +
                        ") is not a loopback address: anyone who reaches it could end sessions and drain the node");
    return a;
}

CheckConfig read_check(const Field& f) {
    const Section s(f, {"enabled", "credentials_per_minute", "credentials_per_minute_total", "credential_lifetime"});
    const CheckConfig d;
    CheckConfig c;
    c.enabled = read_bool(s["enabled"], d.enabled);
    c.credentials_per_minute = read_uint(s["credentials_per_minute"], 1, 600, d.credentials_per_minute);
    c.credentials_per_minute_total =
        read_uint(s["credentials_per_minute_total"], 1, 60000, d.credentials_per_minute_total);
    c.credential_lifetime = read_uint(s["credential_lifetime"], 60, 3600, d.credential_lifetime);
    if (c.credentials_per_minute > c.credentials_per_minute_total)
        s["credentials_per_minute"].fail("must not be greater than check.credentials_per_minute_total (" +
                                         std::to_string(c.credentials_per_minute_total) + ")");
    return c;
}

IoEngine read_io_engine(const Field& f) {
    return read_choice<IoEngine>(f,
                                 {{"auto", IoEngine::automatic},
                                  {"epoll", IoEngine::epoll},
                                  {"io_uring", IoEngine::io_uring}},
                                 IoEngine::automatic);
}

bool is_loopback(const IpAddress& ip) {
    static const auto v4 = *alloc::CidrBlock::parse("127.0.0.0/8");
    static const auto v6 = *alloc::CidrBlock::parse("::1/128");
    return v4.contains(ip.unmapped()) || v6.contains(ip);
}

// The first key whose address reaches past loopback (wildcards included), or "".
std::string facing_network(const Section& s, const Config& c) {
    const std::string listen = s["listen"].path;
    for (std::size_t i = 0; i < c.listen.udp.size(); ++i)
        if (!is_loopback(c.listen.udp[i].ip)) return join_path(listen, "udp") + "[" + std::to_string(i) + "]";
    for (const auto& [name, list] : {std::pair{"tcp", &c.listen.tcp}, std::pair{"tls", &c.listen.tls}})
        for (std::size_t i = 0; i < list->size(); ++i)
            if (!is_loopback((*list)[i].address.ip)) return join_path(listen, name) + "[" + std::to_string(i) + "]";
    for (std::size_t i = 0; i < c.relay.ranges.size(); ++i)
        if (!is_loopback(c.relay.ranges[i].network) || c.relay.ranges[i].prefix < 8)
            return join_path(s["relay"].path, "ranges") + "[" + std::to_string(i) + "]";
    return {};
}

// The first development credential in the config: its key and what it is; empty if none.
std::pair<std::string, std::string> development_credential(const Config& c) {
    if (std::find(c.auth.secrets.begin(), c.auth.secrets.end(), development_secret) != c.auth.secrets.end())
        return {"auth.secrets", "auth.secrets holds the bundled development secret"};
    for (const auto& u : c.auth.users)
        if (u.name == "demo") return {"auth.users", "auth.users has the demo user"};
    for (const auto& block : c.peers.allow)
        if (is_loopback(block.network) || block.contains(IpAddress::v4(127, 0, 0, 1)) ||
            block.contains(*IpAddress::parse("::1")))
            return {"peers.allow", "peers.allow lets clients relay to loopback (" + block.to_string() + ")"};
    return {};
}

// DESIGN.md: "The bundled development config (loopback, a known secret) refuses to face a
// network." Anyone who has read the README knows those credentials.
void check_development_config(const Section& s, const Config& c) {
    if (c.unsafe_development_config_on_network) return;
    const std::string key = facing_network(s, c);
    const auto [credential_key, credential] = development_credential(c);
    if (key.empty() || credential.empty()) return;
    s["unsafe_development_config_on_network"].origin->fail(
        key, {key, credential_key}, credential + ", and " + key +
                 " is not a loopback address: the development credentials are public, so this "
                 "server must not face a network. Replace them (see "
                 "config/hallpass.production.example.yaml), or set "
                 "unsafe_development_config_on_network: true to do it anyway");
}

}  // namespace

Config read_config(const Field& root, const PathBase& paths) {
    const Section s(root, {"realm", "software", "server_name", "listen", "tls", "relay", "auth",
                           "peers", "limits", "workers", "io_engine", "log", "admin", "alternates",
                           "check", "drain_timeout", "watch_files", "user", "group",
                           "unsafe_development_config_on_network"});
    Config c;
    c.source = root.origin->file();
    c.realm = read_required_string(s["realm"]);
    c.software = read_string(s["software"]).value_or(c.software);
    c.listen = read_listen(s["listen"]);
    c.server_name = read_server_name(s["server_name"], c.listen);
    c.tls = read_tls(s["tls"], join_path(s["listen"].path, "tls"), c.listen, paths);
    c.relay = read_relay(s["relay"]);
    c.auth = read_auth(s["auth"], paths);
    c.peers = read_peers(s["peers"]);
    c.limits = read_limits(s["limits"]);
    c.workers = read_uint(s["workers"], 0, 256, c.workers);  // 0 = one per core
    c.io_engine = read_io_engine(s["io_engine"]);
    c.log = read_log(s["log"]);
    c.admin = read_admin(s["admin"], paths);
    c.alternates = read_alternates(s["alternates"]);
    c.check = read_check(s["check"]);
    c.drain_timeout = read_uint(s["drain_timeout"], 1, 604800, c.drain_timeout);
    c.watch_files = read_bool(s["watch_files"], c.watch_files);
    c.user = read_account(s["user"]);
    c.group = read_account(s["group"]);
    c.unsafe_development_config_on_network = read_bool(s["unsafe_development_config_on_network"], false);
    check_development_config(s, c);
    return c;
}

}  // namespace hallpass::config::detail
