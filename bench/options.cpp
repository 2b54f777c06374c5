#include "bench/options.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <vector>

namespace hallpass::bench {
namespace {

using Error = std::string;

std::optional<Scenario> scenario_of(std::string_view s) {
    for (auto v : {Scenario::saturate, Scenario::latency, Scenario::burst, Scenario::classroom, Scenario::memory,
                   Scenario::capacity})
        if (name_of(v) == s) return v;
    return std::nullopt;
}

template <class T>
std::optional<T> number(std::string_view text) {
    T value{};
    const auto* end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, value);
    if (r.ec != std::errc{} || r.ptr != end) return std::nullopt;
    return value;
}

std::optional<double> real(std::string_view text) {
    // from_chars for double is in libstdc++ 11+.
    auto v = number<double>(text);
    if (!v || !std::isfinite(*v)) return std::nullopt;
    return v;
}

// Default allocation counts, chosen so that a run with no --allocations finishes quickly.
std::uint32_t default_allocations(Scenario s) {
    switch (s) {
        case Scenario::saturate: return 100;
        case Scenario::latency: return 100;
        case Scenario::burst: return 1000;
        case Scenario::memory: return 1000;
        case Scenario::classroom: return 0;  // derived from --classrooms
        case Scenario::capacity: return 0;
    }
    return 0;
}

std::optional<Error> check_target(const Options& o) {
    if (!o.remote && !is_loopback(o.server.ip))
        return "--server " + o.server.to_string() +
               " is not on loopback: a load generator may only be pointed at a server you run. Add --remote "
               "to say that this one is yours";
    if (!o.remote && o.tls_server && !is_loopback(o.tls_server->ip))
        return "--tls-server " + o.tls_server->to_string() + " is not on loopback: that needs --remote";
    if (!o.remote && o.peer_address && !is_loopback(*o.peer_address))
        return "--peer-address " + o.peer_address->to_string() + " is not on loopback: that needs --remote";
    if (o.peer_address && o.peer_address->unmapped().is_v4() != o.server.ip.unmapped().is_v4())
        return "--peer-address and --server must be of one address family";
    if (o.remote && !is_loopback(o.server.ip) && needs_peers(o) && !o.peer_address)
        return std::string(name_of(o.scenario)) +
               " against a remote server needs --peer-address ADDRESS: an address of this machine that the "
               "server can reach and its peer policy allows (--topology pairs and burst need none)";
    return std::nullopt;
}

std::optional<Error> check(const Options& o) {
    if (o.server.port == 0) return "--server ADDRESS:PORT is required";
    if (auto e = check_target(o)) return e;
    const bool have_static = !o.user.empty() || !o.password.empty();
    if (have_static && !o.secret.empty()) return "give either --user/--password or --secret, not both";
    if (!o.secret.empty()) return std::nullopt;
    if (o.user.empty() || o.password.empty()) return "credentials needed: --user U --password P, or --secret S";
    return std::nullopt;
}

}  // namespace

bool is_loopback(const IpAddress& address) {
    const IpAddress ip = address.unmapped();
    if (ip.is_v4()) return ip.bytes[0] == 127;
    std::array<std::uint8_t, 16> one{};
    one[15] = 1;
    return ip.bytes == one;
}

bool needs_peers(const Options& o) {
    switch (o.scenario) {
        case Scenario::saturate:
        case Scenario::latency: return o.topology == Topology::echo;
        case Scenario::classroom:
        case Scenario::capacity:
        case Scenario::memory: return true;
        case Scenario::burst: return false;
    }
    return true;
}

Transport student_transport(const Options& o, std::uint32_t k, std::uint32_t students) {
    if (!o.mix || students == 0) return o.transport;
    // Student k takes the transport whose cumulative share first exceeds its position.
    const std::uint64_t position = (2 * std::uint64_t{k} + 1) * 100;  // (k + 0.5) / students, scaled
    std::uint64_t cumulative = 0;
    for (std::size_t t = 0; t < 3; ++t) {
        cumulative += (*o.mix)[t];
        if (position < cumulative * 2 * students) return static_cast<Transport>(t);
    }
    return Transport::tls;
}

std::string mix_text(const Options& o) {
    if (!o.mix) return std::string(name_of(o.transport));
    std::string out;
    for (std::size_t t = 0; t < 3; ++t) {
        if ((*o.mix)[t] == 0) continue;
        out += (out.empty() ? "" : ", ") + std::string(name_of(static_cast<Transport>(t))) + " " +
               std::to_string((*o.mix)[t]) + " %";
    }
    return out;
}

namespace {
// "udp=70,tcp=10,tls=20": every share named at most once, summing to 100.
std::optional<std::array<std::uint32_t, 3>> parse_mix(std::string_view text) {
    std::array<std::uint32_t, 3> mix{};
    std::array<bool, 3> seen{};
    std::uint32_t sum = 0;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view part = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const auto eq = part.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const std::string_view name = part.substr(0, eq);
        const auto share = number<std::uint32_t>(part.substr(eq + 1));
        std::size_t t = name == "udp" ? 0 : name == "tcp" ? 1 : name == "tls" ? 2 : 3;
        if (t == 3 || !share || seen[t] || *share > 100) return std::nullopt;
        seen[t] = true;
        mix[t] = *share;
        sum += *share;
    }
    if (sum != 100) return std::nullopt;
    return mix;
}
}  // namespace

TransportAddress peer_bind_address(const Options& o) {
    if (o.peer_address) return {*o.peer_address, 0};
    if (o.server.ip.unmapped().is_v4()) return {IpAddress::v4(127, 0, 0, 1), 0};
    std::array<std::uint8_t, 16> one{};
    one[15] = 1;
    return {IpAddress::v6(one), 0};
}

std::string_view name_of(Scenario s) {
    switch (s) {
        case Scenario::saturate: return "saturate";
        case Scenario::latency: return "latency";
        case Scenario::burst: return "burst";
        case Scenario::classroom: return "classroom";
        case Scenario::memory: return "memory";
        case Scenario::capacity: return "capacity";
    }
    return "?";
}
std::string_view name_of(Transport t) {
    switch (t) {
        case Transport::udp: return "udp";
        case Transport::tcp: return "tcp";
        case Transport::tls: return "tls";
    }
    return "?";
}
std::string_view name_of(Topology t) { return t == Topology::echo ? "echo" : "pairs"; }

std::string_view usage() {
    return "usage: hallpass-bench SCENARIO --server ADDRESS:PORT [--transport udp|tcp|tls]\n"
           "         (--user U --password P | --secret S)\n"
           "         [--allocations N] [--payload BYTES] [--duration SECONDS] [--warmup SECONDS]\n"
           "         [--window W] [--topology echo|pairs] [--rate PACKETS_PER_SECOND]\n"
           "         [--classrooms C] [--server-pid PID] [--in-flight K]\n"
           "         [--remote] [--peer-address ADDRESS] [--json] [--quiet]\n"
           "         classroom, capacity: [--mix udp=P,tcp=P,tls=P] [--tls-server ADDRESS:PORT] [--threads T]\n"
           "         capacity: [--max-classrooms N] [--max-loss PERCENT] [--max-jitter MS] [--max-p99 MS]\n"
           "                   [--html FILE]\n"
           "--remote: the server is off loopback and yours; --peer-address: where the bench's peers\n"
           "listen (an address of this machine the server may relay to)\n"
           "SCENARIO: saturate | latency | burst | classroom | memory | capacity   (see bench/README.md)\n";
}

std::variant<Options, std::string> parse_options(std::span<const std::string_view> args) {
    Options o;
    if (args.empty()) return Error("missing SCENARIO");
    if (args[0] == "--help" || args[0] == "-h") return Error("help");
    const auto scenario = scenario_of(args[0]);
    if (!scenario) return "unknown scenario '" + std::string(args[0]) + "'";
    o.scenario = *scenario;
    bool allocations_given = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view flag = args[i];
        if (flag == "--help" || flag == "-h") return Error("help");
        if (flag == "--json") { o.json = true; continue; }
        if (flag == "--quiet") { o.quiet = true; continue; }
        if (flag == "--remote") { o.remote = true; continue; }
        if (i + 1 >= args.size()) return std::string(flag) + " needs a value";
        const std::string_view value = args[++i];
        const auto bad = [&] { return "bad value '" + std::string(value) + "' for " + std::string(flag); };
        if (flag == "--server") {
            auto a = TransportAddress::parse(value);
            if (!a || a->port == 0) return bad();
            a->ip = a->ip.unmapped();  // [::ffff:127.0.0.1] is 127.0.0.1: sockets of its own family
            o.server = *a;
        } else if (flag == "--peer-address") {
            auto a = IpAddress::parse(value);
            if (!a) return bad();
            o.peer_address = a->unmapped();
        } else if (flag == "--mix") {
            o.mix = parse_mix(value);
            if (!o.mix) return bad() + " (e.g. udp=70,tcp=10,tls=20, summing to 100)";
        } else if (flag == "--tls-server") {
            auto a = TransportAddress::parse(value);
            if (!a || a->port == 0) return bad();
            a->ip = a->ip.unmapped();
            o.tls_server = *a;
        } else if (flag == "--threads") {
            auto n = number<std::uint32_t>(value);
            if (!n || *n == 0 || *n > 64) return bad() + " (1..64)";
            o.threads = *n;
        } else if (flag == "--max-classrooms") {
            auto n = number<std::uint32_t>(value);
            if (!n || *n == 0 || *n > 1000) return bad() + " (1..1000)";
            o.max_classrooms = *n;
        } else if (flag == "--max-loss" || flag == "--max-jitter" || flag == "--max-p99") {
            auto v = real(value);
            if (!v || *v < 0 || (flag == "--max-loss" && *v > 100)) return bad();
            (flag == "--max-loss" ? o.max_loss_percent : flag == "--max-jitter" ? o.max_jitter_ms : o.max_p99_ms) = *v;
        } else if (flag == "--html") {
            if (value.empty()) return bad();
            o.html_path = value;
        } else if (flag == "--transport") {
            if (value == "udp") o.transport = Transport::udp;
            else if (value == "tcp") o.transport = Transport::tcp;
            else if (value == "tls") o.transport = Transport::tls;
            else return bad();
        } else if (flag == "--user") {
            o.user = value;
        } else if (flag == "--password") {
            o.password = value;
        } else if (flag == "--secret") {
            o.secret = value;
        } else if (flag == "--topology") {
            if (value == "echo") o.topology = Topology::echo;
            else if (value == "pairs") o.topology = Topology::pairs;
            else return bad();
        } else if (flag == "--allocations") {
            auto n = number<std::uint32_t>(value);
            if (!n || *n == 0 || *n > 100000) return bad() + " (1..100000)";
            o.allocations = *n;
            allocations_given = true;
        } else if (flag == "--payload") {
            auto n = number<std::uint32_t>(value);
            if (!n || *n < min_payload || *n > max_payload) return bad() + " (24..1400)";
            o.payload = *n;
        } else if (flag == "--duration" || flag == "--warmup" || flag == "--rate") {
            auto v = real(value);
            if (!v || *v < 0) return bad();
            if (flag == "--duration") {
                if (*v <= 0 || *v > 3600) return bad() + " (0..3600]";
                o.duration_s = *v;
            } else if (flag == "--warmup") {
                if (*v > 600) return bad() + " (0..600)";
                o.warmup_s = *v;
            } else {
                if (*v <= 0 || *v > 10'000'000) return bad() + " (0..10000000]";
                o.rate = *v;
            }
        } else if (flag == "--window") {
            auto n = number<std::uint32_t>(value);
            if (!n || *n == 0 || *n > 4096) return bad() + " (1..4096)";
            o.window = *n;
        } else if (flag == "--classrooms") {
            auto n = number<std::uint32_t>(value);
            if (!n || *n == 0 || *n > 1000) return bad() + " (1..1000)";
            o.classrooms = *n;
        } else if (flag == "--server-pid") {
            auto n = number<int>(value);
            if (!n || *n <= 0) return bad();
            o.server_pid = *n;
        } else if (flag == "--in-flight") {
            auto n = number<std::uint32_t>(value);
            if (!n || *n == 0 || *n > 10000) return bad() + " (1..10000)";
            o.in_flight = *n;
        } else {
            return "unknown option " + std::string(flag);
        }
    }
    if (auto e = check(o)) return *e;
    if (!allocations_given) o.allocations = default_allocations(o.scenario);
    if (o.scenario == Scenario::classroom) o.allocations = o.classrooms * 30 * 2;
    if (o.scenario == Scenario::capacity) o.allocations = o.max_classrooms * 30 * 2;
    if (o.scenario == Scenario::capacity && o.classrooms > o.max_classrooms)
        return Error("--classrooms (where capacity starts) must not exceed --max-classrooms");
    if (o.mix && o.scenario != Scenario::classroom && o.scenario != Scenario::capacity)
        return Error("--mix is for classroom and capacity");
    if (o.threads > 1 && o.scenario != Scenario::classroom && o.scenario != Scenario::capacity)
        return Error("--threads is for classroom and capacity");
    if (!o.html_path.empty() && o.scenario != Scenario::capacity) return Error("--html is for capacity");
    if (o.scenario == Scenario::memory && !o.server_pid) return Error("memory needs --server-pid PID");
    if (o.topology == Topology::pairs && o.allocations % 2 != 0)
        return Error("--topology pairs needs an even --allocations");
    if (o.scenario == Scenario::saturate && o.warmup_s >= o.duration_s)
        return Error("--warmup must be shorter than --duration");
    return o;
}

}  // namespace hallpass::bench
