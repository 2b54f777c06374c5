// Config: the validated settings of one hallpass process, as plain values.
// Built once by config_loader (YAML file + command-line overrides), then passed around by
// const reference and never modified; a reload builds a new one and swaps it whole.
// Every value here has already passed validation: readers need no further checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stun/transport_address.hpp"

namespace hallpass::config {

// `auto` is a keyword, hence `automatic` for the YAML value "auto".
enum class IoEngine : std::uint8_t { automatic, epoll, io_uring };
enum class LogFormat : std::uint8_t { text, json };
// Same names and order as spdlog's levels, so relay/ can map them one to one.
enum class LogLevel : std::uint8_t { trace, debug, info, warn, error, critical, off };

// Addresses the server accepts clients on, per transport. tcp and tls are validated now
// and served by later work.
struct ListenConfig {
    std::vector<TransportAddress> udp;
    std::vector<TransportAddress> tcp;
    std::vector<TransportAddress> tls;
};

struct PortRange {
    std::uint16_t min = 16384;
    std::uint16_t max = 32767;
};

// 1:1 NAT: the relay socket binds `bound`; clients are told `public_ip`.
// (`public` is a keyword; the YAML key is `public`.)
struct AdvertiseEntry {
    IpAddress bound;
    IpAddress public_ip;
};

struct RelayConfig {
    // CIDR text such as "185.62.212.128/25", syntax-checked with host bits zero.
    std::vector<std::string> ranges;
    PortRange ports;
    std::vector<AdvertiseEntry> advertise;
};

// A static long-term-credential user from the config file.
struct User {
    std::string name;
    std::string password;
};

struct AuthConfig {
    std::vector<User> users;               // names unique and non-empty
    std::vector<std::string> secrets;      // TURN REST API shared secrets, newest first
    std::uint32_t nonce_lifetime = 600;    // seconds
    std::uint32_t credential_ttl = 86400;  // seconds; default for `hallpass credentials`
};

// Peer address policy on top of the built-in deny list (see DESIGN.md).
struct PeerConfig {
    std::vector<std::string> allow;  // CIDR text; overrides the built-in deny list
    std::vector<std::string> deny;   // CIDR text; refused in addition to the built-in list
};

// Counts of 0 mean unlimited; lifetimes are seconds.
struct LimitsConfig {
    std::uint32_t allocations_total = 0;
    std::uint32_t allocations_per_user = 0;   // keyed by the full STUN username
    std::uint32_t default_lifetime = 600;     // RFC 8656 §3.4 default
    std::uint32_t max_lifetime = 3600;        // >= default_lifetime
    std::uint32_t permission_lifetime = 300;  // RFC 8656 §9: 300 s
    std::uint32_t channel_lifetime = 600;     // RFC 8656 §12: 10 minutes
};

struct LogConfig {
    LogLevel level = LogLevel::info;
    LogFormat format = LogFormat::text;
};

struct Config {
    std::string source;                 // the file it came from, for log lines and reload
    std::string realm;                  // non-empty
    std::string software = "hallpass";  // SOFTWARE attribute; empty means omit it
    std::string server_name;            // host in printed URLs; defaults to the first listen IP
    ListenConfig listen;                // at least one address over udp, tcp and tls
    RelayConfig relay;                  // at least one range
    AuthConfig auth;                    // at least one user or one secret
    PeerConfig peers;
    LimitsConfig limits;
    std::uint32_t workers = 0;  // 0 = one per core, else 1..256
    IoEngine io_engine = IoEngine::automatic;
    LogConfig log;
};

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
