#include "bench/report.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include "bench/proc_status.hpp"

namespace hallpass::bench {
namespace {

TEST(BenchReport, JsonHasEveryStableFieldWithNullsForTheRest) {
    Report r;
    r.scenario = "burst";
    r.transport = "udp";
    r.allocations = 10;
    r.allocations_per_second = 2500;
    r.slowest_allocation_ms = 3.5;
    const std::string json = to_json(r);
    for (const char* field :
         {"\"scenario\":\"burst\"", "\"transport\":\"udp\"", "\"allocations\":10", "\"packets_per_second\":null",
          "\"relayed_packets\":null", "\"latency_us\":null", "\"loss_ratio\":null", "\"allocations_per_second\":2500",
          "\"slowest_allocation_ms\":3.5", "\"failures\":0", "\"bench_cpu_percent\":0",
          "\"bytes_per_allocation\":null", "\"streams\":null"})
        EXPECT_NE(json.find(field), std::string::npos) << field << " in " << json;
    EXPECT_EQ(json.front(), '{');
    EXPECT_EQ(json.substr(json.size() - 2), "}\n");
}

TEST(BenchReport, LatencyIsSummarisedInMicroseconds) {
    Histogram h;
    for (std::uint64_t us = 1; us <= 1000; ++us) h.record(us * 1000);
    const LatencySummary l = summarize(h);
    EXPECT_EQ(l.samples, 1000u);
    EXPECT_NEAR(l.p50_us, 500.0, 1.0);
    EXPECT_NEAR(l.p99_us, 990.0, 2.0);
    EXPECT_NEAR(l.p999_us, 999.0, 2.0);
    EXPECT_DOUBLE_EQ(l.mean_us, 500.5);
    EXPECT_DOUBLE_EQ(l.max_us, 1000.0);
    Report r;
    r.latency = l;
    r.streams.push_back(StreamReport{"audio_up", 30, 100, 99, 0.01, 1, summarize(h), 0.5, 1.0});
    const std::string json = to_json(r);
    EXPECT_NE(json.find("\"latency_us\":{\"samples\":1000,\"p50\":"), std::string::npos) << json;
    EXPECT_NE(json.find("\"name\":\"audio_up\""), std::string::npos);
    EXPECT_NE(to_table(r).find("stream audio_up (30 streams)"), std::string::npos);
}

TEST(ProcStatus, ReadsVmRss) {
    EXPECT_EQ(parse_vm_rss("Name:\thallpass\nVmPeak:\t  9000 kB\nVmRSS:\t    5120 kB\nThreads: 2\n"), 5120u * 1024);
    EXPECT_FALSE(parse_vm_rss("Name:\tx\n"));
    EXPECT_FALSE(parse_vm_rss("VmRSS:\tlots\n"));
}

TEST(ProcStatus, ReadsCpuTicksPastACommandNameWithSpacesAndParentheses) {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    EXPECT_EQ(parse_cpu_ticks("4242 (hallpass) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 567 0 0 20 0 3 0"),
              1234u + 567u);
    EXPECT_EQ(parse_cpu_ticks("7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 10 20 0 0"), 30u);
    EXPECT_FALSE(parse_cpu_ticks("7 (x) R 1 7 7 0 -1 0 0 0 0 0 10"));  // cut short
    EXPECT_FALSE(parse_cpu_ticks("7 (x) R 1 7 7 0 -1 0 0 0 0 0 ten 20"));
    EXPECT_FALSE(parse_cpu_ticks("no parenthesis"));
}

TEST(ProcStatus, MeasuresThisProcessesCpu) {
    const auto ticks = read_cpu_ticks(::getpid());
    ASSERT_TRUE(ticks);
    ProcessCpu none(std::nullopt);
    none.start(0);
    EXPECT_FALSE(none.percent(1'000'000'000));
}

TEST(BenchReport, ServerCpuAndMemoryAreNullWithoutAServerPid) {
    Report r;
    EXPECT_NE(to_json(r).find("\"server_cpu_percent\":null,\"server_rss_bytes\":null"), std::string::npos);
    r.server_cpu_percent = 41.5;
    r.server_rss_bytes = 2048 * 1024;
    EXPECT_NE(to_json(r).find("\"server_cpu_percent\":41.5"), std::string::npos) << to_json(r);
    EXPECT_NE(to_table(r).find("server RSS"), std::string::npos);
}

}  // namespace
}  // namespace hallpass::bench
