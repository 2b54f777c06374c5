// Config: the validated settings of one hallpass process, as plain values.
// Built by config_loader (YAML file + command-line overrides) at start and again at each
// reload, then never modified: a reload builds a new one, and relay/ publishes it whole in a
// new runtime snapshot (relay/runtime_snapshot.hpp) that workers switch to.
// Every value here has already passed validation: readers need no further checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alloc/cidr_block.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::config {

// `auto` is a keyword, hence `automatic` for the YAML value "auto".
enum class IoEngine : std::uint8_t { automatic, epoll, io_uring };
enum class LogFormat : std::uint8_t { text, json };
// Same names and order as spdlog's levels, so relay/ can map them one to one.
enum class LogLevel : std::uint8_t { trace, debug, info, warn, error, critical, off };

// A TCP or TLS listening address. With proxy_protocol, every connection must start with
// a PROXY protocol header (v1 or v2) from a load balancer in front (HAProxy), and the
// client address it carries is used in place of the socket's peer. Only connections from
// `trusted` (required with proxy_protocol, non-empty) may send that header: anyone else
// could claim any address.
struct StreamListener {
    TransportAddress address;
    bool proxy_protocol = false;
    std::vector<alloc::CidrBlock> trusted;

    friend bool operator==(const StreamListener&, const StreamListener&) = default;
};

// Addresses the server accepts clients on, per transport. One ip:port is never on both
// tcp and tls; the same ip:port on udp and tcp is fine (different protocols).
struct ListenConfig {
    std::vector<TransportAddress> udp;
    std::vector<StreamListener> tcp;
    std::vector<StreamListener> tls;

    friend bool operator==(const ListenConfig&, const ListenConfig&) = default;
};

// Certificate and key for the TLS listeners, PEM files. Relative paths in the file are
// already resolved against the config file's directory (command-line ones against the
// current directory). The loader does not open them: the relay does at start, and makes a
// self-signed pair there when they are missing and self_signed is true.
// Both paths are set whenever listen.tls is non-empty or self_signed is true.
struct TlsConfig {
    std::string certificate;  // certificate chain, leaf first (e.g. fullchain.pem)
    std::string private_key;
    bool self_signed = false;  // for trying hallpass only: browsers do not trust it

    friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

struct PortRange {
    std::uint16_t min = 16384;
    std::uint16_t max = 32767;

    friend bool operator==(const PortRange&, const PortRange&) = default;
};

// 1:1 NAT: the relay socket binds `bound`; clients are told `public_ip`.
// (`public` is a keyword; the YAML key is `public`.)
struct AdvertiseEntry {
    IpAddress bound;
    IpAddress public_ip;

    friend bool operator==(const AdvertiseEntry&, const AdvertiseEntry&) = default;
};

struct RelayConfig {
    std::vector<alloc::CidrBlock> ranges;  // such as 185.62.212.128/25
    PortRange ports;
    std::vector<AdvertiseEntry> advertise;

    friend bool operator==(const RelayConfig&, const RelayConfig&) = default;
};

// A static long-term-credential user from the config file.
struct User {
    std::string name;
    std::string password;

    friend bool operator==(const User&, const User&) = default;
};

struct AuthConfig {
    std::vector<User> users;               // names unique and non-empty
    // TURN REST API shared secrets, newest first: `secrets` from the file, then the lines of
    // `secrets_file` (kept out of the config file and off command lines).
    std::vector<std::string> secrets;
    std::string secrets_file;              // where some came from, for logs; empty if none
    std::uint32_t nonce_lifetime = 600;    // seconds
    std::uint32_t credential_ttl = 86400;  // seconds; default for `hallpass credentials`
    // A shared-secret username whose expiry lies further ahead than this is refused:
    // credentials are meant to be short-lived. 0: no limit. >= credential_ttl.
    std::uint32_t max_credential_lifetime = 3 * 86400;

    friend bool operator==(const AuthConfig&, const AuthConfig&) = default;
};

// Peer address policy on top of the built-in deny list (see DESIGN.md).
struct PeerConfig {
    std::vector<alloc::CidrBlock> allow;  // overrides the built-in deny list
    std::vector<alloc::CidrBlock> deny;   // refused even where `allow` covers the address

    friend bool operator==(const PeerConfig&, const PeerConfig&) = default;
};

// Lifetimes are seconds. Every limit is on by default (DESIGN.md "Defaults that protect the
// host"); where 0 is accepted it means unlimited, as an explicit operator choice.
struct LimitsConfig {
    // nullopt ("auto", the default): what the relay addresses and the open file limit can
    // hold (alloc/allocation_limit.hpp), worked out at start. Else at least 1.
    std::optional<std::uint32_t> allocations_total;
    // Per user: a static user's name, or a shared-secret user's id (the part after
    // "expiry:"), so a fresh expiry buys no fresh quota. Ports kept by EVEN-PORT count too.
    // 32: a BigBlueButton student's audio, own webcam, screen share and five viewed
    // webcams (8 peer connections) × 2 ICE URLs, with as much again for reconnects and
    // ICE restarts whose old allocations have not ended yet.
    std::uint32_t allocations_per_user = 32;
    std::uint32_t default_lifetime = 600;     // RFC 8656 §3.4 default
    std::uint32_t max_lifetime = 3600;        // >= default_lifetime
    std::uint32_t permission_lifetime = 300;  // RFC 8656 §9: 300 s
    std::uint32_t channel_lifetime = 600;     // RFC 8656 §12: 10 minutes
    // A browser names a few peers per allocation (the media server's candidates); these
    // bound what one hostile client can make a worker remember.
    std::uint32_t permissions_per_allocation = 64;  // 1..65535
    std::uint32_t channels_per_allocation = 64;     // 1..16384 (the channel numbers)
    // Per allocation and direction, bits per second; 0: no limit. 20 Mbit/s is several
    // times a 1080p screen share, and far below what one client could otherwise take.
    std::uint32_t allocation_bps = 20'000'000;
    // TCP and TLS client connections.
    std::uint32_t connections_total = 10000;
    std::uint32_t connections_per_ip = 1000;  // high: a school NAT is one IP for hundreds
    // IPv6 clients are counted per prefix of this length (a host gets a whole /64).
    std::uint32_t connections_ipv6_prefix = 64;  // 32..128
    // 1..300 s from accept: a TCP client's first bytes and a TLS client's whole handshake.
    std::uint32_t tls_handshake_timeout = 10;
    std::uint32_t idle_timeout = 60;           // 1..86400; a connection with no allocation
    // Per-connection send queue toward a stream client, in bytes; media beyond it is
    // dropped and counted. 65536..67108864.
    std::uint32_t stream_queue_bytes = 1048576;
    // Answers per second (and burst) to UDP requests that did not authenticate — 401s,
    // Binding answers, small errors — per source /24 (IPv6 /48). 0: no limit.
    // 2000/s and a burst of 10000 let a whole school start a lesson at once behind one NAT
    // address, and hold a forged-source flood to about 1 Mbit/s per victim network.
    std::uint32_t unauthenticated_rate = 2000;
    std::uint32_t unauthenticated_burst = 10000;

    friend bool operator==(const LimitsConfig&, const LimitsConfig&) = default;
};

struct LogConfig {
    LogLevel level = LogLevel::info;
    LogFormat format = LogFormat::text;

    friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

// The admin HTTP listener: Prometheus metrics, health, readiness and the JSON API that
// `hallpass ctl` uses.
struct AdminConfig {
    // nullopt: no admin listener (`listen: off`). Port 0: the kernel picks one, and the start
    // log says which (for tests that run many servers at once).
    std::optional<TransportAddress> listen = TransportAddress{IpAddress::v4(127, 0, 0, 1), 9641};
    // The bearer token every request must carry; required (16 characters or more) when
    // `listen` is not a loopback address. Empty: none asked for.
    std::string token;
    // Where `token` was read from (its first line), so that it can live in a file only
    // hallpass reads (a Kubernetes Secret); empty when given inline.
    std::string token_file;
    // GET /metrics, /healthz and /readyz without the token, for Prometheus and a kubelet that
    // cannot carry one; every other route still needs it.
    bool open_metrics = false;

    friend bool operator==(const AdminConfig&, const AdminConfig&) = default;
};

// Another hallpass node that takes new allocations while this one drains or is full
// (300 Try Alternate). `domain`: the name on that node's certificate, sent to TLS clients
// as ALTERNATE-DOMAIN; tls entries only.
struct AlternateServer {
    TransportAddress address;
    std::string domain;

    friend bool operator==(const AlternateServer&, const AlternateServer&) = default;
};

// By the transport the client uses here: a UDP client is sent to a UDP listener, and so on.
struct AlternatesConfig {
    std::vector<AlternateServer> udp;
    std::vector<AlternateServer> tcp;
    std::vector<AlternateServer> tls;

    friend bool operator==(const AlternatesConfig&, const AlternatesConfig&) = default;
};

// The school network check (the page on the TLS listeners, `hallpass probe`): it mints
// short-lived probe credentials (turn/probe_credentials.hpp) for whoever asks, so the
// asking is rate-limited per client address (IPv6 per limits.connections_ipv6_prefix) and
// in total.
struct CheckConfig {
    bool enabled = false;
    std::uint32_t credentials_per_minute = 20;          // per client address, 1..600
    std::uint32_t credentials_per_minute_total = 600;   // for the whole node, 1..60000
    std::uint32_t credential_lifetime = 300;            // seconds, 60..3600
    friend bool operator==(const CheckConfig&, const CheckConfig&) = default;
};

struct Config {
    std::string source;                 // the file it came from, for log lines and reload
    std::string realm;                  // non-empty
    std::string software = "hallpass";  // SOFTWARE attribute; empty means omit it
    std::string server_name;            // host in printed URLs; defaults to the first listen IP
    ListenConfig listen;                // at least one address over udp, tcp and tls
    TlsConfig tls;
    RelayConfig relay;                  // at least one range
    AuthConfig auth;                    // at least one user or one secret
    PeerConfig peers;
    LimitsConfig limits;
    std::uint32_t workers = 0;  // 0 = one per core, else 1..256
    IoEngine io_engine = IoEngine::automatic;
    LogConfig log;
    AdminConfig admin;
    AlternatesConfig alternates;
    CheckConfig check;
    // Seconds a drain (SIGUSR1, POST /drain) waits for the last allocation to end before the
    // process exits anyway; a lesson is an hour or more. 1..604800.
    std::uint32_t drain_timeout = 7200;
    // Reload when the config file, the secrets file or the TLS files change on disk, as a
    // SIGHUP would: for Kubernetes ConfigMap and Secret mounts and certbot renewals.
    bool watch_files = false;
    // The account to switch to after binding sockets when started as root; empty = stay.
    // Non-empty when set; the relay looks the names up.
    std::string user;
    std::string group;
    // The development credentials (the bundled secret, the `demo` user, a loopback
    // `allow`) on a non-loopback address: refused unless this is set.
    bool unsafe_development_config_on_network = false;
};

// The secret of the bundled config/hallpass.default.yaml. It is public, so a server that
// holds it must not face a network.
inline constexpr std::string_view development_secret = "hallpass-dev-secret-change-me";

// The YAML spelling of each enum value, for logging the choice made.
constexpr std::string_view to_string(IoEngine e) {
    switch (e) {
        case IoEngine::epoll:
            return "epoll";
        case IoEngine::io_uring:
            return "io_uring";
        case IoEngine::automatic:
            break;
    }
    return "auto";
}

constexpr std::string_view to_string(LogFormat f) { return f == LogFormat::json ? "json" : "text"; }

constexpr std::string_view to_string(LogLevel l) {
    constexpr std::string_view names[] = {"trace", "debug",    "info", "warn",
                                          "error", "critical", "off"};
    return names[static_cast<std::size_t>(l)];
}

}  // namespace hallpass::config
