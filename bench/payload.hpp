// The probe each bench packet carries at the front of its application data. The bench
// reads it back on the same host, so it is written in host byte order.
//
//   0       1       2       3       4               8                16               24
//  +-------+-------+-------+-------+---------------+----------------+----------------+---
//  | kind  |  zero (3 bytes)       | stream (u32)  | sequence (u64) | sent at (u64)  | filler
//  +-------+-------+-------+-------+---------------+----------------+----------------+---
//
// kind: ping (an allocation's own packet, on its way out), pong (a ping turned back by the
// other allocation of a pair), media (classroom streams). stream: the originating
// allocation (saturate, latency) or the stream id (classroom). sent at: steady_clock ns.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace hallpass::bench {

enum class ProbeKind : std::uint8_t { ping = 1, pong = 2, media = 3 };

struct Probe {
    ProbeKind kind = ProbeKind::ping;
    std::uint32_t stream = 0;
    std::uint64_t sequence = 0;
    std::int64_t sent_ns = 0;
};

inline constexpr std::size_t probe_size = 24;

// Writes the probe into the first 24 bytes of `payload` (which must hold them).
inline void write_probe(std::span<std::uint8_t> payload, const Probe& p) {
    payload[0] = static_cast<std::uint8_t>(p.kind);
    payload[1] = payload[2] = payload[3] = 0;
    std::memcpy(payload.data() + 4, &p.stream, 4);
    std::memcpy(payload.data() + 8, &p.sequence, 8);
    std::memcpy(payload.data() + 16, &p.sent_ns, 8);
}

inline std::optional<Probe> read_probe(std::span<const std::uint8_t> payload) {
    if (payload.size() < probe_size) return std::nullopt;
    if (payload[0] < 1 || payload[0] > 3) return std::nullopt;
    Probe p;
    p.kind = static_cast<ProbeKind>(payload[0]);
    std::memcpy(&p.stream, payload.data() + 4, 4);
    std::memcpy(&p.sequence, payload.data() + 8, 8);
    std::memcpy(&p.sent_ns, payload.data() + 16, 8);
    return p;
}

// Turns a ping into a pong in place (the pairs topology's echo).
inline void mark_pong(std::span<std::uint8_t> payload) { payload[0] = static_cast<std::uint8_t>(ProbeKind::pong); }

}  // namespace hallpass::bench
