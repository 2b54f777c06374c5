// Reserved relay addresses are claimed once by their token, and go back when unclaimed.
#include <gtest/gtest.h>

#include "alloc/reservation_table.hpp"

namespace hallpass::alloc {
namespace {

const TransportAddress address = *TransportAddress::parse("192.0.2.1:16385");
const ReservationToken token = {1, 2, 3, 4, 5, 6, 7, 8};

TEST(ReservationTable, TokenClaimsItsAddressOnce) {
    ReservationTable t;
    t.add(token, address, Millis{0});
    EXPECT_EQ(t.take(token, Millis{1000}), address);
    EXPECT_FALSE(t.take(token, Millis{1000}));
}

TEST(ReservationTable, UnknownTokenClaimsNothing) {
    ReservationTable t;
    t.add(token, address, Millis{0});
    EXPECT_FALSE(t.take(ReservationToken{9}, Millis{0}));
    EXPECT_EQ(t.size(), 1u);
}

TEST(ReservationTable, ExpiredReservationsAreReturned) {
    ReservationTable t;
    t.add(token, address, Millis{0});
    EXPECT_TRUE(t.expire(ReservationTable::hold - Millis{1}).empty());
    EXPECT_FALSE(t.take(token, ReservationTable::hold));
    const auto back = t.expire(ReservationTable::hold);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0], address);
    EXPECT_EQ(t.size(), 0u);
}

}  // namespace
}  // namespace hallpass::alloc
