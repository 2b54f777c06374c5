// Command line of hallpass-bench, parsed into one immutable Options value (pure: the
// caller passes argv; nothing here reads the clock or the environment).
//
//   hallpass-bench SCENARIO --server 127.0.0.1:3478 [--transport udp|tcp|tls]
//       (--user U --password P | --secret S) [--allocations N] [--payload BYTES]
//       [--duration SECONDS] [--window W] [--topology echo|pairs] [--rate PPS]
//       [--classrooms C] [--server-pid PID] [--warmup SECONDS] [--in-flight K]
//       [--remote] [--peer-address ADDRESS] [--json] [--quiet]
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "stun/transport_address.hpp"

namespace hallpass::bench {

enum class Scenario { saturate, latency, burst, classroom, memory, capacity };
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
    // A server off loopback is loaded only when its owner says so (--remote).
    bool remote = false;
    // Where the bench's echo peers and media server listen; the server's peer policy must
    // let it relay there. Loopback (like the server's family) when not given.
    std::optional<IpAddress> peer_address;
    // classroom, capacity: the students' transports in percent (udp, tcp, tls), from --mix;
    // all of them --transport when not given. TLS goes to --tls-server when given.
    std::optional<std::array<std::uint32_t, 3>> mix;
    std::optional<TransportAddress> tls_server;
    // classroom, capacity: bench threads, each with its own loop and a share of the classrooms.
    std::uint32_t threads = 1;
    // capacity: the classroom counts tried (from --classrooms up to --max-classrooms) and the
    // quality limits a step must stay within.
    std::uint32_t max_classrooms = 64;
    double max_loss_percent = 1.0;
    double max_jitter_ms = 30.0;
    double max_p99_ms = 100.0;
    std::string html_path;  // --html FILE: the capacity report as a page
    bool json = false;
    bool quiet = false;
};

inline constexpr std::uint32_t min_payload = 24;  // bench/payload.hpp's probe header
inline constexpr std::uint32_t max_payload = 1400;

bool is_loopback(const IpAddress& ip);

// Whether SCENARIO sends to peers of the bench's own (echo peers, the media server, the
// memory scenario's permission), which the server must be able to reach.
bool needs_peers(const Options& o);

// The transport of student k of `students` (classroom, capacity): the mix apportioned in
// order, udp first, so that 70/10/20 of 30 students is 21/3/6.
Transport student_transport(const Options& o, std::uint32_t k, std::uint32_t students);
// "udp 70 %, tcp 10 %, tls 20 %", or the one transport.
std::string mix_text(const Options& o);

// The address the bench's peers bind to (port 0).
TransportAddress peer_bind_address(const Options& o);

// The usage text printed with --help and after a parse error.
std::string_view usage();

// Parses argv[1..]; an error is a one-line message naming the offending option.
// `--help` yields the error "help".
std::variant<Options, std::string> parse_options(std::span<const std::string_view> args);

}  // namespace hallpass::bench
