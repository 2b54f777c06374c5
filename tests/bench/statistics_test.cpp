// The bench's statistics against synthetic input whose answer is known.
#include "bench/statistics.hpp"

#include <gtest/gtest.h>

#include "bench/pacer.hpp"
#include "bench/payload.hpp"

namespace hallpass::bench {
namespace {

TEST(Histogram, UniformOneToThousandMicrosecondsGivesKnownPercentiles) {
    Histogram h;
    for (std::uint64_t us = 1; us <= 1000; ++us) h.record(us * 1000);  // recorded in ns
    EXPECT_EQ(h.count(), 1000u);
    EXPECT_NEAR(static_cast<double>(h.percentile(0.50)) / 1000.0, 500.0, 500 * 0.002);
    EXPECT_NEAR(static_cast<double>(h.percentile(0.99)) / 1000.0, 990.0, 990 * 0.002);
    EXPECT_NEAR(static_cast<double>(h.percentile(0.999)) / 1000.0, 999.0, 999 * 0.002);
    EXPECT_NEAR(h.mean() / 1000.0, 500.5, 1e-9);
    EXPECT_EQ(h.min(), 1000u);
    EXPECT_EQ(h.max(), 1000000u);
}

TEST(Histogram, SmallValuesAreExact) {
    Histogram h;
    for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
    EXPECT_EQ(h.percentile(0.5), 50u);
    EXPECT_EQ(h.percentile(0.99), 99u);
    EXPECT_EQ(h.percentile(1.0), 100u);
    EXPECT_EQ(h.percentile(0.0), 1u);
}

TEST(Histogram, EmptyGivesZero) {
    Histogram h;
    EXPECT_EQ(h.percentile(0.5), 0u);
    EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, BucketsKeepRelativeErrorBelowTwoPerMille) {
    for (std::uint64_t v : {1023ull, 1024ull, 1025ull, 123456ull, 987654321ull, 1ull << 40}) {
        const auto back = Histogram::value_of(Histogram::bucket_of(v));
        EXPECT_NEAR(static_cast<double>(back), static_cast<double>(v), static_cast<double>(v) * 0.002) << v;
    }
}

TEST(Histogram, BucketsAreMonotonic) {
    std::size_t last = 0;
    for (std::uint64_t v = 0; v < 5'000'000; v += 997) {
        const auto b = Histogram::bucket_of(v);
        EXPECT_GE(b, last);
        last = b;
    }
}

TEST(Histogram, MergeAddsCounts) {
    Histogram a, b;
    for (std::uint64_t v = 1; v <= 500; ++v) a.record(v);
    for (std::uint64_t v = 501; v <= 1000; ++v) b.record(v);
    a.merge(b);
    EXPECT_EQ(a.count(), 1000u);
    EXPECT_EQ(a.percentile(0.5), 500u);
    EXPECT_EQ(a.min(), 1u);
    EXPECT_EQ(a.max(), 1000u);
}

TEST(Jitter, ConstantInterarrivalGivesZero) {
    JitterEstimator j;
    for (std::int64_t k = 0; k < 1000; ++k) j.on_packet(k * 20'000'000, k * 20'000'000 + 300'000);
    EXPECT_EQ(j.jitter_ns(), 0.0);
}

TEST(Jitter, AlternatingTransitConvergesToTheDifference) {
    // Transit alternates 1 ms and 3 ms: |D| is always 2 ms, so J -> 2 ms (RFC 3550 A.8).
    JitterEstimator j;
    for (std::int64_t k = 0; k < 2000; ++k) j.on_packet(k * 20'000'000, k * 20'000'000 + (k % 2 ? 3'000'000 : 1'000'000));
    EXPECT_NEAR(j.jitter_ns(), 2'000'000.0, 1.0);
}

TEST(Jitter, OneStepFollowsTheSixteenthRule) {
    JitterEstimator j;
    j.on_packet(0, 1000);
    j.on_packet(100, 1100 + 1600);  // |D| = 1600
    EXPECT_DOUBLE_EQ(j.jitter_ns(), 100.0);
}

TEST(Loss, KnownLoss) {
    EXPECT_DOUBLE_EQ(loss_ratio(1000, 990), 0.01);
    EXPECT_DOUBLE_EQ(loss_ratio(1000, 1000), 0.0);
    EXPECT_DOUBLE_EQ(loss_ratio(1000, 1005), 0.0);  // duplicates are not negative loss
    EXPECT_DOUBLE_EQ(loss_ratio(0, 0), 0.0);
    EXPECT_DOUBLE_EQ(loss_ratio(4, 0), 1.0);
}

TEST(Cpu, PercentOfOneCore) {
    EXPECT_DOUBLE_EQ(cpu_percent(600'000, 400'000, 2'000'000), 50.0);
    EXPECT_DOUBLE_EQ(cpu_percent(1'500'000, 500'000, 1'000'000), 200.0);
    EXPECT_DOUBLE_EQ(cpu_percent(1, 1, 0), 0.0);
}

TEST(Rate, PerSecond) {
    EXPECT_DOUBLE_EQ(per_second(500, 250'000'000), 2000.0);
    EXPECT_DOUBLE_EQ(per_second(5, 0), 0.0);
}

TEST(Pacer, SpreadsPacketsEvenlyOverStreams) {
    Pacer p(1'000'000'000, 1000.0, 4);  // one packet per ms over 4 streams
    std::vector<int> per_stream(4, 0);
    std::int64_t now = 1'000'000'000;
    int sent = 0;
    for (int ms = 0; ms < 100; ++ms, now += 1'000'000)
        while (p.due(now)) ++per_stream[p.take()], ++sent;
    EXPECT_EQ(sent, 100);  // due at 0, 1, ..., 99 ms
    for (int n : per_stream) EXPECT_EQ(n, 25);
    EXPECT_EQ(p.next_due_ns(), 1'100'000'000);
}

TEST(Probe, RoundTripsAndTurnsIntoPong) {
    std::vector<std::uint8_t> payload(100, 0);
    write_probe(payload, Probe{ProbeKind::ping, 7, 42, 123456789});
    auto p = read_probe(payload);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->kind, ProbeKind::ping);
    EXPECT_EQ(p->stream, 7u);
    EXPECT_EQ(p->sequence, 42u);
    EXPECT_EQ(p->sent_ns, 123456789);
    mark_pong(payload);
    EXPECT_EQ(read_probe(payload)->kind, ProbeKind::pong);
    EXPECT_FALSE(read_probe(std::span<const std::uint8_t>(payload.data(), 23)));
}

}  // namespace
}  // namespace hallpass::bench
