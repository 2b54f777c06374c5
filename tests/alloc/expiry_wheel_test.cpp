// ExpiryWheel: keys come due at their second, far ones wait their round, and a call never
// hands out more than its budget.
#include <gtest/gtest.h>

#include "alloc/expiry_wheel.hpp"

namespace hallpass::alloc {
namespace {

using std::chrono::seconds;

std::vector<int> advance(ExpiryWheel<int>& w, Millis now, std::size_t budget = 1000) {
    std::vector<int> due;
    w.advance(now, budget, [&](int k) { due.push_back(k); });
    std::sort(due.begin(), due.end());
    return due;
}

TEST(ExpiryWheel, HandsOutKeysAtTheirDeadline) {
    ExpiryWheel<int> w;
    const Millis start{1'000'000};
    advance(w, start);
    w.schedule(1, start + seconds(5));
    w.schedule(2, start + seconds(10));
    EXPECT_TRUE(advance(w, start + seconds(4)).empty());
    EXPECT_EQ(advance(w, start + seconds(5)), std::vector<int>{1});
    EXPECT_TRUE(advance(w, start + seconds(9)).empty());
    EXPECT_EQ(advance(w, start + seconds(11)), std::vector<int>{2});
    EXPECT_EQ(w.size(), 0u);
}

TEST(ExpiryWheel, RoundsDeadlinesUpToTheNextSecond) {
    ExpiryWheel<int> w;
    const Millis start{2'000'000};
    advance(w, start);
    w.schedule(1, start + Millis{1500});
    EXPECT_TRUE(advance(w, start + Millis{1999}).empty());
    EXPECT_EQ(advance(w, start + Millis{2000}), std::vector<int>{1});
}

TEST(ExpiryWheel, FarDeadlinesWaitTheirRound) {
    ExpiryWheel<int> w;
    const Millis start{3'000'000};
    advance(w, start);
    const auto span = seconds(ExpiryWheel<int>::bucket_count);
    w.schedule(1, start + span + seconds(3));  // same bucket as start + 3 s
    EXPECT_TRUE(advance(w, start + seconds(3)).empty());
    EXPECT_EQ(w.size(), 1u);
    EXPECT_EQ(advance(w, start + span + seconds(3)), std::vector<int>{1});
}

TEST(ExpiryWheel, PastDeadlinesComeDueInTheNextSecond) {
    ExpiryWheel<int> w;
    const Millis start{4'000'000};
    advance(w, start);
    w.schedule(7, Millis{0});
    EXPECT_EQ(advance(w, start + Millis{1000}), std::vector<int>{7});
}

TEST(ExpiryWheel, ABudgetBoundsEachCallAndTheRestFollow) {
    ExpiryWheel<int> w;
    const Millis start{5'000'000};
    advance(w, start);
    for (int i = 0; i < 250; ++i) w.schedule(i, start + seconds(1));
    EXPECT_EQ(advance(w, start + seconds(1), 100).size(), 100u);
    EXPECT_EQ(advance(w, start + seconds(1), 100).size(), 100u);
    EXPECT_EQ(advance(w, start + seconds(2), 100).size(), 50u);
    EXPECT_EQ(w.size(), 0u);
}

TEST(ExpiryWheel, KeysScheduledAgainFromTheCallbackWaitTheirNewTime) {
    ExpiryWheel<int> w;
    const Millis start{6'000'000};
    advance(w, start);
    w.schedule(1, start + seconds(1));
    std::size_t calls = 0;
    w.advance(start + seconds(1), 10, [&](int k) {
        ++calls;
        w.schedule(k, start + seconds(30));
    });
    EXPECT_EQ(calls, 1u);
    EXPECT_TRUE(advance(w, start + seconds(29)).empty());
    EXPECT_EQ(advance(w, start + seconds(30)), std::vector<int>{1});
}

TEST(ExpiryWheel, ALongGapTakesOneTurnOfTheWheel) {
    ExpiryWheel<int> w;
    advance(w, Millis{0});
    w.schedule(1, Millis{5000});
    w.schedule(2, Millis{3'000'000});
    // Days later: both are due, and the call looks at each bucket once, not at every second.
    EXPECT_EQ(advance(w, Millis{400'000'000}), (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace hallpass::alloc
