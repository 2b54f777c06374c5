// open_relay_address over a real RelayAddressBook: the policy relay/ runs for every
// Allocate, with socket binding faked. Quotas count every address a user holds; a
// reservation's unit moves to whoever claims it; addresses other processes hold are skipped
// and given back; nothing leaks on any failure.
#include <gtest/gtest.h>

#include <set>

#include "alloc/relay_address_opening.hpp"

namespace hallpass::alloc {
namespace {

CidrBlock cidr(std::string_view text) { return *CidrBlock::parse(text); }

struct Opener {
    explicit Opener(std::size_t total, std::size_t per_user, std::string range = "192.0.2.0/30",
                    PortRange ports = {20000, 20009}, std::size_t reservations = 16)
        : book(RelayAddressPool({cidr(range)}, ports), QuotaLedger(total, per_user), 7, reservations) {}

    RelayOpenResult open(std::string_view identity, RelayRequest request = {}, Millis now = Millis{0}) {
        RelayOpening opening;
        opening.fresh_token[0] = static_cast<std::uint8_t>(++tokens);
        auto with_book = [&](auto&& f) { return f(book); };
        auto bind = [&](const TransportAddress& a) {
            ++binds;
            if (fail_binds) return BindOutcome::failed;
            return elsewhere.contains(a) ? BindOutcome::in_use_elsewhere : BindOutcome::bound;
        };
        return open_relay_address(with_book, identity, request, now, bind, opening);
    }

    RelayAddressBook book;
    std::set<TransportAddress> elsewhere;
    bool fail_binds = false;
    int binds = 0;
    int tokens = 0;
};

const RelayOpened& opened(const RelayOpenResult& r) { return std::get<RelayOpened>(r); }
RelayRefusal refusal(const RelayOpenResult& r) { return std::get<RelayRefusal>(r); }

TEST(RelayAddressOpening, CountsQuotaPerIdentity) {
    Opener o(0, 2);
    ASSERT_TRUE(std::holds_alternative<RelayOpened>(o.open("alice")));
    ASSERT_TRUE(std::holds_alternative<RelayOpened>(o.open("alice")));
    EXPECT_EQ(refusal(o.open("alice")), RelayRefusal::user_quota);
    EXPECT_TRUE(std::holds_alternative<RelayOpened>(o.open("bob")));
    EXPECT_EQ(o.book.ledger().of("alice"), 2u);
    EXPECT_EQ(o.book.pool().in_use(), 3u);
}

TEST(RelayAddressOpening, StopsAtTheTotal) {
    Opener o(2, 0);
    o.open("a");
    o.open("b");
    EXPECT_EQ(refusal(o.open("c")), RelayRefusal::total_quota);
    EXPECT_EQ(o.book.pool().in_use(), 2u);
}

TEST(RelayAddressOpening, EndingAnAllocationReturnsAddressAndQuota) {
    Opener o(0, 1);
    const auto address = opened(o.open("alice")).address;
    o.book.end_allocation("alice", address);
    EXPECT_EQ(o.book.ledger().total(), 0u);
    EXPECT_FALSE(o.book.pool().is_in_use(address));
    EXPECT_TRUE(std::holds_alternative<RelayOpened>(o.open("alice")));
}

TEST(RelayAddressOpening, AReservedPortCountsAgainstItsOwner) {
    Opener o(0, 2);
    const auto first = opened(o.open("alice", {AddressFamily::ipv4, true, true, {}}));
    ASSERT_TRUE(first.reservation);
    EXPECT_EQ(first.address.port % 2, 0);
    EXPECT_EQ(o.book.ledger().of("alice"), 2u);  // the allocation and the reserved odd port
    EXPECT_EQ(o.book.reservations().size(), 1u);
    // At her quota now: the reservation is what she holds, not a free pass.
    EXPECT_EQ(refusal(o.open("alice")), RelayRefusal::user_quota);
}

TEST(RelayAddressOpening, TheOwnerClaimsItsReservationWithoutANewUnit) {
    Opener o(0, 2);
    const auto first = opened(o.open("alice", {AddressFamily::ipv4, true, true, {}}));
    RelayRequest claim;
    claim.token = first.reservation;
    const auto second = opened(o.open("alice", claim));
    EXPECT_EQ(second.address.port, first.address.port + 1);
    EXPECT_EQ(o.book.ledger().of("alice"), 2u);
    EXPECT_EQ(o.book.reservations().size(), 0u);
}

TEST(RelayAddressOpening, AnotherUserClaimsOnlyWithRoomAndTakesTheUnitOver) {
    Opener o(0, 2);
    const auto first = opened(o.open("alice", {AddressFamily::ipv4, true, true, {}}));
    o.open("bob");
    o.open("bob");
    RelayRequest claim;
    claim.token = first.reservation;
    EXPECT_EQ(refusal(o.open("bob", claim)), RelayRefusal::user_quota);
    EXPECT_EQ(o.book.reservations().size(), 1u);  // still alice's
    const auto carol = opened(o.open("carol", claim));
    EXPECT_EQ(carol.address.port, first.address.port + 1);
    EXPECT_EQ(o.book.ledger().of("alice"), 1u);
    EXPECT_EQ(o.book.ledger().of("carol"), 1u);
}

TEST(RelayAddressOpening, UnknownAndExpiredTokensAreRefused) {
    Opener o(0, 0);
    RelayRequest claim;
    claim.token = ReservationToken{9};
    EXPECT_EQ(refusal(o.open("alice", claim)), RelayRefusal::unknown_token);
    const auto first = opened(o.open("alice", {AddressFamily::ipv4, true, true, {}}));
    claim.token = first.reservation;
    EXPECT_EQ(refusal(o.open("alice", claim, ReservationTable::hold)), RelayRefusal::unknown_token);
}

TEST(RelayAddressOpening, ExpiredReservationsGiveBackAddressAndQuota) {
    Opener o(0, 0);
    const auto first = opened(o.open("alice", {AddressFamily::ipv4, true, true, {}}));
    EXPECT_EQ(o.book.expire_reservations(ReservationTable::hold), 1u);
    EXPECT_EQ(o.book.ledger().of("alice"), 1u);
    TransportAddress odd = first.address;
    odd.port = static_cast<std::uint16_t>(odd.port + 1);
    EXPECT_FALSE(o.book.pool().is_in_use(odd));
}

TEST(RelayAddressOpening, SkipsAddressesHeldElsewhereAndGivesThemBack) {
    // 2 usable IPs × 10 ports; most are some other process's.
    Opener o(0, 0);
    for (std::uint16_t port = 20000; port <= 20009; ++port) {
        o.elsewhere.insert({*IpAddress::parse("192.0.2.1"), port});
        if (port != 20005) o.elsewhere.insert({*IpAddress::parse("192.0.2.2"), port});
    }
    const auto got = opened(o.open("alice"));
    EXPECT_EQ(got.address, (TransportAddress{*IpAddress::parse("192.0.2.2"), 20005}));
    EXPECT_EQ(o.book.pool().in_use(), 1u);  // the skipped ones went back
    EXPECT_EQ(o.book.ledger().total(), 1u);
}

TEST(RelayAddressOpening, GivesUpWhenEveryAddressIsHeldElsewhere) {
    Opener o(0, 0);
    for (const char* ip : {"192.0.2.1", "192.0.2.2"})
        for (std::uint16_t port = 20000; port <= 20009; ++port) o.elsewhere.insert({*IpAddress::parse(ip), port});
    EXPECT_EQ(refusal(o.open("alice")), RelayRefusal::no_address);
    EXPECT_EQ(o.book.pool().in_use(), 0u);
    EXPECT_EQ(o.book.ledger().total(), 0u);
    EXPECT_LE(o.binds, 64);
}

TEST(RelayAddressOpening, ABindFailureLeaksNothing) {
    Opener o(0, 0);
    o.fail_binds = true;
    EXPECT_EQ(refusal(o.open("alice", {AddressFamily::ipv4, true, true, {}})), RelayRefusal::no_address);
    EXPECT_EQ(o.book.pool().in_use(), 0u);
    EXPECT_EQ(o.book.ledger().total(), 0u);
    EXPECT_EQ(o.binds, 1);
}

TEST(RelayAddressOpening, AFullPoolLeaksNoQuota) {
    Opener o(0, 0, "192.0.2.1/32", {20000, 20001});
    o.open("a");
    o.open("b");
    EXPECT_EQ(refusal(o.open("c")), RelayRefusal::no_address);
    EXPECT_EQ(o.book.ledger().total(), 2u);
}

TEST(RelayAddressOpening, AFullReservationTableStillAllocatesWithoutAToken) {
    Opener o(0, 0, "192.0.2.0/30", {20000, 20009}, 1);
    ASSERT_TRUE(opened(o.open("a", {AddressFamily::ipv4, true, true, {}})).reservation);
    const auto second = opened(o.open("b", {AddressFamily::ipv4, true, true, {}}));
    EXPECT_FALSE(second.reservation);
    EXPECT_EQ(o.book.ledger().of("b"), 1u);  // the pair's second unit came back
    EXPECT_EQ(o.book.pool().in_use(), 3u);   // a's pair, b's even port
}

TEST(RelayAddressOpening, NoFamilyRangeMeansNoAddress) {
    Opener o(0, 0);
    EXPECT_FALSE(o.book.supports(AddressFamily::ipv6));
    EXPECT_EQ(refusal(o.open("alice", {AddressFamily::ipv6, false, false, {}})), RelayRefusal::no_address);
    EXPECT_EQ(o.book.ledger().total(), 0u);
}

// A reload that changes relay.ranges or relay.ports: new allocations draw from the new
// pool, and an address an allocation still holds is never handed out twice — not even when
// a later reload brings its range back.
TEST(RelayAddressBookReload, NewAllocationsUseTheNewRangesAndHeldAddressesStayTaken) {
    Opener o(0, 0, "192.0.2.0/30", {20000, 20000});  // two IPs, one port: two addresses
    const auto first = opened(o.open("alice")).address;
    o.book.replace_pool(RelayAddressPool({cidr("198.51.100.8/30")}, {20000, 20000}));
    const auto second = opened(o.open("bob")).address;
    EXPECT_TRUE(cidr("198.51.100.8/30").contains(second.ip));
    EXPECT_FALSE(o.book.pool().is_in_use(first));

    // Back to the first range: `first` is still alice's, so only the other address is free.
    o.book.replace_pool(RelayAddressPool({cidr("192.0.2.0/30")}, {20000, 20000}));
    EXPECT_TRUE(o.book.pool().is_in_use(first));
    const auto third = opened(o.open("carol")).address;
    EXPECT_NE(third, first);
    EXPECT_EQ(refusal(o.open("dave")), RelayRefusal::no_address);

    // Ending the allocations returns every address, wherever it is kept.
    o.book.end_allocation("alice", first);
    o.book.end_allocation("bob", second);
    o.book.end_allocation("carol", third);
    EXPECT_EQ(o.book.pool().in_use(), 0u);
    EXPECT_EQ(o.book.ledger().total(), 0u);
    EXPECT_TRUE(std::holds_alternative<RelayOpened>(o.open("dave")));
}

TEST(RelayAddressBookReload, NewQuotaLimitsApplyToWhatIsCountedNext) {
    Opener o(0, 3);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(std::holds_alternative<RelayOpened>(o.open("alice")));
    o.book.set_limits(4, 2);
    EXPECT_EQ(refusal(o.open("alice")), RelayRefusal::user_quota);  // holds 3 of a new 2
    EXPECT_TRUE(std::holds_alternative<RelayOpened>(o.open("bob")));
    EXPECT_EQ(refusal(o.open("carol")), RelayRefusal::total_quota);
}

}  // namespace
}  // namespace hallpass::alloc
