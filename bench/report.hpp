// What a scenario found, and the two ways of printing it: a table for people (stdout) and
// one JSON object for scripts (--json). Field names are stable and listed in
// bench/README.md; a field that does not apply to the scenario is null in JSON and left
// out of the table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/statistics.hpp"

namespace hallpass::bench {

struct LatencySummary {
    std::uint64_t samples = 0;
    double p50_us = 0, p99_us = 0, p999_us = 0, mean_us = 0, max_us = 0;
};
LatencySummary summarize(const Histogram& nanoseconds);

// One kind of classroom stream (audio_up, audio_down, video_down), over all its streams.
struct StreamReport {
    std::string name;
    std::uint32_t streams = 0;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    double loss_ratio = 0;
    std::uint32_t streams_with_loss = 0;
    LatencySummary latency;      // one-way, sender timestamp to arrival
    double jitter_mean_ms = 0;   // RFC 3550 jitter at the end, mean over the streams
    double jitter_max_ms = 0;    // ... and the largest
};

struct Report {
    std::string scenario;
    std::string transport;
    std::optional<std::string> topology;
    std::uint32_t allocations = 0;       // allocations the scenario made and used
    double duration_s = 0;               // the measured interval
    std::optional<double> packets_per_second;
    std::optional<std::uint64_t> relayed_packets;
    std::optional<std::uint64_t> sent;
    std::optional<std::uint64_t> received;
    std::optional<LatencySummary> latency;  // round trip
    std::optional<double> loss_ratio;
    std::optional<double> allocations_per_second;
    std::optional<double> slowest_allocation_ms;
    std::uint64_t failures = 0;
    std::optional<std::string> first_failure;
    double bench_cpu_percent = 0;
    // With --server-pid (a server on this machine): its CPU over the measured interval, %
    // of one core, and its resident memory at the end of it.
    std::optional<double> server_cpu_percent;
    std::optional<std::uint64_t> server_rss_bytes;
    // The busiest single thread's CPU over the measured interval: the server's (--server-pid;
    // a worker saturates at 100) and the bench's (classroom, capacity: with --threads the
    // process total says little about whether one thread was the limit).
    std::optional<double> server_thread_cpu_max_percent;
    std::optional<double> bench_thread_cpu_max_percent;
    std::optional<double> bytes_per_allocation;
    std::optional<std::uint64_t> rss_idle_bytes;
    std::optional<std::uint64_t> rss_after_bytes;
    std::vector<StreamReport> streams;
    std::optional<bool> any_stream_lost;
};

std::string to_json(const Report& r);
std::string to_table(const Report& r);

}  // namespace hallpass::bench
