// QuotaLedger: per-user and total allocation limits (TURN 486 / 508).
#include <gtest/gtest.h>

#include "alloc/quota_ledger.hpp"

namespace hallpass::alloc {
namespace {

using Verdict = QuotaLedger::Verdict;

TEST(QuotaLedger, StopsAUserAtTheirLimit) {
    QuotaLedger ledger(0, 2);
    EXPECT_EQ(ledger.reserve("alice"), Verdict::ok);
    EXPECT_EQ(ledger.reserve("alice"), Verdict::ok);
    EXPECT_EQ(ledger.reserve("alice"), Verdict::user_quota_reached);
    EXPECT_EQ(ledger.of("alice"), 2u);
    EXPECT_EQ(ledger.reserve("bob"), Verdict::ok);
    EXPECT_EQ(ledger.total(), 3u);
}

TEST(QuotaLedger, StopsEveryoneAtTheTotalLimit) {
    QuotaLedger ledger(2, 0);
    EXPECT_EQ(ledger.reserve("alice"), Verdict::ok);
    EXPECT_EQ(ledger.reserve("bob"), Verdict::ok);
    EXPECT_EQ(ledger.reserve("carol"), Verdict::total_quota_reached);
    EXPECT_EQ(ledger.of("carol"), 0u);
    EXPECT_EQ(ledger.total(), 2u);
}

TEST(QuotaLedger, ReportsTheUserQuotaWhenBothAreReached) {
    QuotaLedger ledger(1, 1);
    EXPECT_EQ(ledger.reserve("alice"), Verdict::ok);
    EXPECT_EQ(ledger.reserve("alice"), Verdict::user_quota_reached);
    EXPECT_EQ(ledger.reserve("bob"), Verdict::total_quota_reached);
}

TEST(QuotaLedger, ZeroMeansUnlimited) {
    QuotaLedger ledger(0, 0);
    for (int i = 0; i < 10000; ++i) ASSERT_EQ(ledger.reserve("alice"), Verdict::ok);
    EXPECT_EQ(ledger.of("alice"), 10000u);
    EXPECT_EQ(ledger.total(), 10000u);
}

TEST(QuotaLedger, ReleaseMakesRoomAgain) {
    QuotaLedger ledger(2, 1);
    EXPECT_EQ(ledger.reserve("alice"), Verdict::ok);
    EXPECT_EQ(ledger.reserve("bob"), Verdict::ok);
    EXPECT_EQ(ledger.reserve("carol"), Verdict::total_quota_reached);
    EXPECT_TRUE(ledger.release("alice"));
    EXPECT_EQ(ledger.reserve("carol"), Verdict::ok);
    EXPECT_EQ(ledger.reserve("alice"), Verdict::total_quota_reached);
    EXPECT_TRUE(ledger.release("bob"));
    EXPECT_EQ(ledger.reserve("alice"), Verdict::ok);
}

TEST(QuotaLedger, ErasesAUserAtZero) {
    QuotaLedger ledger(0, 0);
    ledger.reserve("alice");
    ledger.reserve("alice");
    ledger.reserve("bob");
    EXPECT_EQ(ledger.users(), 2u);
    EXPECT_TRUE(ledger.release("alice"));
    EXPECT_EQ(ledger.users(), 2u);
    EXPECT_TRUE(ledger.release("alice"));
    EXPECT_EQ(ledger.users(), 1u);
    EXPECT_EQ(ledger.of("alice"), 0u);
    EXPECT_EQ(ledger.total(), 1u);
}

TEST(QuotaLedger, ReleasingWhatWasNotHeldChangesNothing) {
    QuotaLedger ledger(0, 0);
    ledger.reserve("bob");
    EXPECT_FALSE(ledger.release("alice"));
    EXPECT_EQ(ledger.total(), 1u);
    EXPECT_TRUE(ledger.release("bob"));
    EXPECT_FALSE(ledger.release("bob"));
    EXPECT_EQ(ledger.total(), 0u);
}

TEST(QuotaLedger, RefusalChangesNothing) {
    QuotaLedger ledger(0, 1);
    ledger.reserve("alice");
    ledger.reserve("alice");
    EXPECT_EQ(ledger.of("alice"), 1u);
    EXPECT_EQ(ledger.total(), 1u);
}

}  // namespace
}  // namespace hallpass::alloc
