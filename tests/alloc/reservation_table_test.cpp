// Reserved relay addresses are claimed once by their token, go back when unclaimed, and the
// table never grows past its bound.
#include <gtest/gtest.h>

#include "alloc/reservation_table.hpp"

namespace hallpass::alloc {
namespace {

const TransportAddress address = *TransportAddress::parse("192.0.2.1:16385");
const ReservationToken token = {1, 2, 3, 4, 5, 6, 7, 8};

ReservationToken token_of(std::uint32_t n) {
    ReservationToken t{};
    for (int i = 0; i < 4; ++i) t[i] = static_cast<std::uint8_t>(n >> (8 * i));
    return t;
}

TEST(ReservationTable, TokenClaimsItsAddressOnce) {
    ReservationTable t;
    ASSERT_TRUE(t.add(token, {address, "alice"}, Millis{0}));
    const auto taken = t.take(token, Millis{1000});
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->address, address);
    EXPECT_EQ(taken->owner, "alice");
    EXPECT_FALSE(t.take(token, Millis{1000}));
}

TEST(ReservationTable, UnknownTokenClaimsNothing) {
    ReservationTable t;
    ASSERT_TRUE(t.add(token, {address, "alice"}, Millis{0}));
    EXPECT_FALSE(t.take(ReservationToken{9}, Millis{0}));
    EXPECT_FALSE(t.peek(ReservationToken{9}, Millis{0}));
    EXPECT_EQ(t.size(), 1u);
}

TEST(ReservationTable, PeekNamesTheOwnerWithoutClaiming) {
    ReservationTable t;
    ASSERT_TRUE(t.add(token, {address, "alice"}, Millis{0}));
    ASSERT_TRUE(t.peek(token, Millis{0}));
    EXPECT_EQ(t.peek(token, Millis{0})->owner, "alice");
    EXPECT_EQ(t.size(), 1u);
    EXPECT_FALSE(t.peek(token, ReservationTable::hold));
}

TEST(ReservationTable, ExpiredReservationsAreReturned) {
    ReservationTable t;
    ASSERT_TRUE(t.add(token, {address, "alice"}, Millis{0}));
    EXPECT_TRUE(t.expire(ReservationTable::hold - Millis{1}).empty());
    EXPECT_FALSE(t.take(token, ReservationTable::hold));
    const auto back = t.expire(ReservationTable::hold);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].address, address);
    EXPECT_EQ(back[0].owner, "alice");
    EXPECT_EQ(t.size(), 0u);
}

TEST(ReservationTable, ClaimedReservationsDoNotExpireAgain) {
    ReservationTable t;
    ASSERT_TRUE(t.add(token, {address, "alice"}, Millis{0}));
    ASSERT_TRUE(t.take(token, Millis{10}));
    EXPECT_TRUE(t.expire(ReservationTable::hold * 2).empty());
}

TEST(ReservationTable, RefusesNewReservationsWhenFull) {
    ReservationTable t(3);
    for (std::uint32_t i = 0; i < 3; ++i) EXPECT_TRUE(t.add(token_of(i), {address, "alice"}, Millis{0}));
    EXPECT_FALSE(t.add(token_of(3), {address, "alice"}, Millis{0}));
    EXPECT_EQ(t.size(), 3u);
    // Room again once one is claimed.
    ASSERT_TRUE(t.take(token_of(1), Millis{0}));
    EXPECT_TRUE(t.add(token_of(3), {address, "alice"}, Millis{0}));
}

TEST(ReservationTable, ManyClaimsBehindALiveOneDoNotFillTheQueue) {
    ReservationTable t(4);
    ASSERT_TRUE(t.add(token_of(1000), {address, "front"}, Millis{0}));  // stays, unclaimed
    for (std::uint32_t i = 0; i < 100; ++i) {
        ASSERT_TRUE(t.add(token_of(i), {address, "u"}, Millis{1})) << i;
        ASSERT_TRUE(t.take(token_of(i), Millis{1}));
    }
    EXPECT_EQ(t.size(), 1u);
    EXPECT_EQ(t.expire(ReservationTable::hold).size(), 1u);
}

TEST(ReservationTable, RefusesADuplicateToken) {
    ReservationTable t;
    ASSERT_TRUE(t.add(token, {address, "alice"}, Millis{0}));
    EXPECT_FALSE(t.add(token, {address, "bob"}, Millis{0}));
    EXPECT_EQ(t.peek(token, Millis{0})->owner, "alice");
}

TEST(ReservationTable, ExpiresManyInOrderWithoutLosingAny) {
    ReservationTable t(10000);
    for (std::uint32_t i = 0; i < 10000; ++i)
        ASSERT_TRUE(t.add(token_of(i), {address, "u"}, Millis{i}));
    // Claim every other one, then let all expire: exactly the unclaimed half comes back.
    for (std::uint32_t i = 0; i < 10000; i += 2) ASSERT_TRUE(t.take(token_of(i), Millis{i}));
    EXPECT_EQ(t.expire(ReservationTable::hold + Millis{4999}).size(), 2500u);
    EXPECT_EQ(t.expire(ReservationTable::hold + Millis{10000}).size(), 2500u);
    EXPECT_EQ(t.size(), 0u);
}

}  // namespace
}  // namespace hallpass::alloc
