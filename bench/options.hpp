// Command line of hallpass-bench, parsed into one immutable Options value (pure: the
// caller passes argv; nothing here reads the clock or the environment).
//
//   hallpass-bench SCENARIO --server 127.0.0.1:3478 [--transport udp|tcp|tls]
//       (--user U --password P | --secret S) [--allocations N] [--payload BYTES]
//       [--duration SECONDS] [--window W] [--topology echo|pairs] [--rate PPS]
//       [--classrooms C] [--server-pid PID] [--warmup SECONDS] [--in-flight K]
//       [--json] [--quiet]
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "stun/transport_address.hpp"

namespace hallpass::bench {

enum class Scenario { saturate, latency, burst, classroom, memory };
enum class Transport { udp, tcp, tls };
enum class Topology { echo, pairs };

std::string_view name_of(Scenario s);
std::string_view name_of(Transport t);
std::string_view name_of(Topology t);

struct Options {
    Scenario scenario = Scenario::saturate;
    TransportAddress server;
    Transport transport = Transport::udp;
    std::string user;         // static long-term credentials ...
    std::string password;
    std::string secret;       // ... or the TURN REST shared secret
    std::uint32_t allocations = 0;  // 0 until parsed: each scenario has its default
    std::uint32_t payload = 100;    // bytes of application data per packet
    double duration_s = 10.0;
    double warmup_s = 1.0;          // saturate: excluded from the figures
    std::uint32_t window = 8;       // saturate: packets in flight per allocation
    Topology topology = Topology::echo;
    double rate = 10000.0;          // latency: packets per second offered, all allocations
    std::uint32_t classrooms = 1;
    std::optional<int> server_pid;  // memory
    std::uint32_t in_flight = 256;  // allocations being set up at once
    bool json = false;
    bool quiet = false;
};

inline constexpr std::uint32_t min_payload = 24;  // bench/payload.hpp's probe header
inline constexpr std::uint32_t max_payload = 1400;

// The usage text printed with --help and after a parse error.
std::string_view usage();

// Parses argv[1..]; an error is a one-line message naming the offending option.
// `--help` yields the error "help".
std::variant<Options, std::string> parse_options(std::span<const std::string_view> args);

}  // namespace hallpass::bench
