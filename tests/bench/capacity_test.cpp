// The capacity search's arithmetic on synthetic servers whose limits are known: the search
// must find the largest classroom count within the limits with as few steps as doubling and
// halving need, and name what limited it.
#include <gtest/gtest.h>

#include <functional>

#include "bench/capacity_report.hpp"
#include "bench/capacity_search.hpp"

namespace hallpass::bench {
namespace {

using Server = std::function<CapacityStep(std::uint32_t classrooms)>;

// Runs the search to its end against `server`; returns the counts in the order tried.
std::vector<std::uint32_t> search(CapacitySearch& s, const Server& server) {
    std::vector<std::uint32_t> tried;
    while (auto n = s.next()) {
        EXPECT_LT(tried.size(), 40u) << "the search does not end";
        if (tried.size() >= 40) break;
        tried.push_back(*n);
        CapacityStep step = server(*n);
        step.classrooms = *n;
        step.students = *n * 30;
        s.record(step);
    }
    return tried;
}

// Loses 3 % of its packets from `limit` + 1 classrooms on; the CPU grows 5 points a class.
Server lossy_past(std::uint32_t limit) {
    return [limit](std::uint32_t c) {
        CapacityStep s;
        s.loss_ratio = c > limit ? 0.03 : 0.0;
        s.jitter_ms = 0.5;
        s.p99_ms = 2;
        s.server_cpu_percent = 5.0 * c;
        s.bench_cpu_percent = 3.0 * c;
        return s;
    };
}

TEST(CapacitySearch, FindsTheLargestCountWithinTheLossLimit) {
    CapacitySearch s({}, 1, 64);
    EXPECT_EQ(search(s, lossy_past(11)), (std::vector<std::uint32_t>{1, 2, 4, 8, 16, 12, 10, 11}));
    const auto a = s.answer();
    ASSERT_TRUE(a.best);
    EXPECT_EQ(a.best->classrooms, 11u);
    EXPECT_EQ(a.best->students, 330u);
    ASSERT_TRUE(a.first_over);
    EXPECT_EQ(a.first_over->classrooms, 12u);
    EXPECT_EQ(a.limiting_factor, "loss");
    EXPECT_NE(a.explanation.find("at 12 classrooms: loss 3.00 % > 1.00 %"), std::string::npos) << a.explanation;
}

TEST(CapacitySearch, ASaturatedServerCpuIsTheLimitingFactor) {
    CapacitySearch s({}, 1, 64);
    search(s, lossy_past(17));  // at 18 classes the server is at 90 %
    const auto a = s.answer();
    ASSERT_TRUE(a.best);
    EXPECT_EQ(a.best->classrooms, 17u);
    EXPECT_EQ(a.limiting_factor, "server CPU");
    EXPECT_NE(a.explanation.find("the server's busiest thread was at 90 % of a core at 18 classrooms"), std::string::npos)
        << a.explanation;
}

TEST(CapacitySearch, AServerWithFourBusyWorkersIsNotSaturatedUntilOneIs) {
    CapacitySearch s({}, 1, 64);
    search(s, [](std::uint32_t c) {
        CapacityStep st;
        st.server_cpu_percent = 20.0 * c;            // four workers share the load: 400 % at 20
        st.server_busiest_thread_percent = 5.0 * c;  // ... and one of them reaches 100 % there
        st.loss_ratio = c >= 20 ? 0.02 : 0;
        return st;
    });
    const auto a = s.answer();
    ASSERT_TRUE(a.best);
    EXPECT_EQ(a.best->classrooms, 19u);
    EXPECT_EQ(a.limiting_factor, "server CPU");
    EXPECT_NE(a.explanation.find("busiest thread was at 100 %"), std::string::npos) << a.explanation;
}

TEST(CapacitySearch, ASaturatedBenchMakesTheAnswerALowerBound) {
    CapacitySearch s({}, 1, 64);
    search(s, [](std::uint32_t c) {
        CapacityStep st;
        st.bench_cpu_percent = 10.0 * c;  // the generator tops out first
        st.server_cpu_percent = 2.0 * c;
        st.loss_ratio = st.bench_cpu_percent >= 95 ? 0.02 : 0;
        return st;
    });
    const auto a = s.answer();
    ASSERT_TRUE(a.best);
    EXPECT_EQ(a.best->classrooms, 9u);
    EXPECT_EQ(a.limiting_factor, "bench CPU");
    EXPECT_NE(a.explanation.find("lower bound"), std::string::npos);
}

TEST(CapacitySearch, JitterLatencyAndRefusedAllocationsAreLimitsToo) {
    CapacitySearch jitter({}, 1, 64);
    search(jitter, [](std::uint32_t c) {
        CapacityStep st;
        st.jitter_ms = 4.0 * c;  // 30 ms is crossed at 8
        return st;
    });
    EXPECT_EQ(jitter.answer().best->classrooms, 7u);
    EXPECT_EQ(jitter.answer().limiting_factor, "jitter");

    CapacitySearch latency({0.01, 30, 50, 90}, 2, 64);
    search(latency, [](std::uint32_t c) {
        CapacityStep st;
        st.p99_ms = 10.0 * c;  // 50 ms is crossed at 6
        return st;
    });
    EXPECT_EQ(latency.answer().best->classrooms, 5u);
    EXPECT_EQ(latency.answer().limiting_factor, "latency");

    CapacitySearch refused({}, 1, 64);
    search(refused, [](std::uint32_t c) {
        CapacityStep st;
        st.set_up = c <= 4;
        st.failure = "Allocate: 508 Insufficient Capacity";
        return st;
    });
    EXPECT_EQ(refused.answer().best->classrooms, 4u);
    EXPECT_EQ(refused.answer().limiting_factor, "allocations refused");
}

TEST(CapacitySearch, StopsAtTheMaximumOrAtAFirstStepAlreadyOver) {
    CapacitySearch all_good({}, 3, 20);
    EXPECT_EQ(search(all_good, lossy_past(1000)), (std::vector<std::uint32_t>{3, 6, 12, 20}));
    EXPECT_EQ(all_good.answer().best->classrooms, 20u);
    EXPECT_EQ(all_good.answer().limiting_factor, "none reached");

    CapacitySearch none({}, 4, 64);
    EXPECT_EQ(search(none, lossy_past(2)), (std::vector<std::uint32_t>{4}));
    EXPECT_FALSE(none.answer().best);
    EXPECT_EQ(none.answer().first_over->classrooms, 4u);
}

TEST(CapacityReport, TableJsonAndPageCarryTheAnswer) {
    CapacitySearch s({}, 1, 64);
    search(s, lossy_past(11));
    const CapacitySetup setup{"127.0.0.1:3478", "udp 70 %, tcp 10 %, tls 20 %", 10, "2026-12-02 06:00 UTC"};
    const std::string table = capacity_table(setup, s);
    EXPECT_NE(table.find("11 classrooms (330 students) within the limits. Limiting factor: loss"), std::string::npos)
        << table;
    const std::string json = capacity_json(setup, s);
    EXPECT_NE(json.find("\"classrooms\":11,\"students\":330,\"server_cpu_percent\":55.0000"), std::string::npos) << json;
    EXPECT_NE(json.find("\"limiting_factor\":\"loss\""), std::string::npos);
    EXPECT_NE(json.find("\"crossed\":[\"loss 3.00 % > 1.00 %\"]"), std::string::npos);
    const std::string page = capacity_html(setup, s);
    for (const char* id : {"id=\"loss\" data-points=\"8\"", "id=\"latency\" data-points=\"24\"",
                           "id=\"cpu\" data-points=\"16\""})
        EXPECT_NE(page.find(id), std::string::npos) << id;
    EXPECT_EQ(page.find("http"), std::string::npos) << "the page must not refer to anything outside it";
    EXPECT_EQ(page.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace hallpass::bench
