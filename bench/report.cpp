#include "bench/report.hpp"

#include "bench/json_text.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace hallpass::bench {
namespace {

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

template <class T>
std::string opt(const std::optional<T>& v) {
    if (!v) return "null";
    if constexpr (std::is_same_v<T, std::string>) return json_quote(*v);
    else if constexpr (std::is_same_v<T, bool>) return *v ? "true" : "false";
    else if constexpr (std::is_integral_v<T>) return std::to_string(*v);
    else return json_number(*v);
}

std::string latency_json(const LatencySummary& l) {
    return "{\"samples\":" + std::to_string(l.samples) + ",\"p50\":" + json_number(l.p50_us) + ",\"p99\":" +
           json_number(l.p99_us) + ",\"p999\":" + json_number(l.p999_us) + ",\"mean\":" + json_number(l.mean_us) + ",\"max\":" +
           json_number(l.max_us) + "}";
}

std::string stream_json(const StreamReport& s) {
    return "{\"name\":" + json_quote(s.name) + ",\"streams\":" + std::to_string(s.streams) + ",\"sent\":" +
           std::to_string(s.sent) + ",\"received\":" + std::to_string(s.received) + ",\"loss_ratio\":" +
           json_number(s.loss_ratio) + ",\"streams_with_loss\":" + std::to_string(s.streams_with_loss) +
           ",\"latency_us\":" + latency_json(s.latency) + ",\"jitter_mean_ms\":" + json_number(s.jitter_mean_ms) +
           ",\"jitter_max_ms\":" + json_number(s.jitter_max_ms) + "}";
}

void row(std::ostringstream& out, const std::string& name, const std::string& value) {
    out << "  " << name;
    for (std::size_t i = name.size(); i < 26; ++i) out << ' ';
    out << value << '\n';
}

std::string latency_text(const LatencySummary& l) {
    return "p50 " + fixed(l.p50_us, 1) + "  p99 " + fixed(l.p99_us, 1) + "  p99.9 " + fixed(l.p999_us, 1) +
           "  max " + fixed(l.max_us, 1) + " us  (" + std::to_string(l.samples) + " samples)";
}

}  // namespace

LatencySummary summarize(const Histogram& h) {
    LatencySummary s;
    s.samples = h.count();
    s.p50_us = static_cast<double>(h.percentile(0.50)) / 1000.0;
    s.p99_us = static_cast<double>(h.percentile(0.99)) / 1000.0;
    s.p999_us = static_cast<double>(h.percentile(0.999)) / 1000.0;
    s.mean_us = h.mean() / 1000.0;
    s.max_us = static_cast<double>(h.max()) / 1000.0;
    return s;
}

std::string to_json(const Report& r) {
    std::string out = "{";
    out += "\"scenario\":" + json_quote(r.scenario);
    out += ",\"transport\":" + json_quote(r.transport);
    out += ",\"topology\":" + opt(r.topology);
    out += ",\"allocations\":" + std::to_string(r.allocations);
    out += ",\"duration_s\":" + json_number(r.duration_s);
    out += ",\"packets_per_second\":" + opt(r.packets_per_second);
    out += ",\"relayed_packets\":" + opt(r.relayed_packets);
    out += ",\"sent\":" + opt(r.sent);
    out += ",\"received\":" + opt(r.received);
    out += ",\"latency_us\":" + (r.latency ? latency_json(*r.latency) : std::string("null"));
    out += ",\"loss_ratio\":" + opt(r.loss_ratio);
    out += ",\"allocations_per_second\":" + opt(r.allocations_per_second);
    out += ",\"slowest_allocation_ms\":" + opt(r.slowest_allocation_ms);
    out += ",\"failures\":" + std::to_string(r.failures);
    out += ",\"first_failure\":" + opt(r.first_failure);
    out += ",\"bench_cpu_percent\":" + json_number(r.bench_cpu_percent);
    out += ",\"server_cpu_percent\":" + opt(r.server_cpu_percent);
    out += ",\"server_rss_bytes\":" + opt(r.server_rss_bytes);
    out += ",\"server_thread_cpu_max_percent\":" + opt(r.server_thread_cpu_max_percent);
    out += ",\"bench_thread_cpu_max_percent\":" + opt(r.bench_thread_cpu_max_percent);
    out += ",\"bytes_per_allocation\":" + opt(r.bytes_per_allocation);
    out += ",\"rss_idle_bytes\":" + opt(r.rss_idle_bytes);
    out += ",\"rss_after_bytes\":" + opt(r.rss_after_bytes);
    out += ",\"streams\":";
    if (r.streams.empty()) {
        out += "null";
    } else {
        out += "[";
        for (std::size_t i = 0; i < r.streams.size(); ++i) out += (i ? "," : "") + stream_json(r.streams[i]);
        out += "]";
    }
    out += ",\"any_stream_lost\":" + opt(r.any_stream_lost);
    return out + "}\n";
}

std::string to_table(const Report& r) {
    std::ostringstream out;
    out << "hallpass-bench " << r.scenario << " over " << r.transport;
    if (r.topology) out << " (" << *r.topology << ")";
    out << '\n';
    row(out, "allocations", std::to_string(r.allocations));
    if (r.duration_s > 0) row(out, "measured for", fixed(r.duration_s, 2) + " s");
    if (r.relayed_packets) row(out, "relayed packets", std::to_string(*r.relayed_packets));
    if (r.packets_per_second) row(out, "relayed packets/s", fixed(*r.packets_per_second, 0));
    if (r.sent) row(out, "sent", std::to_string(*r.sent));
    if (r.received) row(out, "received back", std::to_string(*r.received));
    if (r.loss_ratio) row(out, "loss", fixed(*r.loss_ratio * 100.0, 3) + " %");
    if (r.latency) row(out, "round trip", latency_text(*r.latency));
    if (r.allocations_per_second) row(out, "allocations/s", fixed(*r.allocations_per_second, 0));
    if (r.slowest_allocation_ms) row(out, "slowest allocation", fixed(*r.slowest_allocation_ms, 1) + " ms");
    if (r.rss_idle_bytes) row(out, "server RSS idle", std::to_string(*r.rss_idle_bytes / 1024) + " KiB");
    if (r.rss_after_bytes) row(out, "server RSS after", std::to_string(*r.rss_after_bytes / 1024) + " KiB");
    if (r.bytes_per_allocation) row(out, "bytes per allocation", fixed(*r.bytes_per_allocation, 0));
    for (const auto& s : r.streams) {
        out << "  stream " << s.name << " (" << s.streams << " streams)\n";
        row(out, "  sent / received", std::to_string(s.sent) + " / " + std::to_string(s.received));
        row(out, "  loss", fixed(s.loss_ratio * 100.0, 3) + " %  (" + std::to_string(s.streams_with_loss) +
                               " streams lost packets)");
        row(out, "  one-way latency", latency_text(s.latency));
        row(out, "  jitter", "mean " + fixed(s.jitter_mean_ms, 3) + " ms  max " + fixed(s.jitter_max_ms, 3) + " ms");
    }
    if (r.any_stream_lost) row(out, "any stream lost packets", *r.any_stream_lost ? "yes" : "no");
    row(out, "failures", std::to_string(r.failures) + (r.first_failure ? "  (first: " + *r.first_failure + ")" : ""));
    row(out, "bench CPU", fixed(r.bench_cpu_percent, 1) + " % of one core");
    if (r.server_cpu_percent) row(out, "server CPU", fixed(*r.server_cpu_percent, 1) + " % of one core");
    if (r.server_rss_bytes) row(out, "server RSS", std::to_string(*r.server_rss_bytes / 1024) + " KiB");
    return out.str();
}

}  // namespace hallpass::bench
