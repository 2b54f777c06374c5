// Each attribute type encodes and decodes to the same value, and rejects malformed values
// with its own name as the place.
#include <gtest/gtest.h>

#include "stun/attributes.hpp"
#include "stun/message_builder.hpp"

namespace hallpass::stun {
namespace {

const TransactionId id = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};

template <class A>
A round_trip(const A& a) {
    static std::array<std::uint8_t, 512> buf;
    MessageBuilder b(buf, Method::allocate, MessageClass::success, id);
    b.add(a);
    EXPECT_TRUE(b.ok());
    auto m = MessageView::parse(b.bytes());
    EXPECT_TRUE(m.ok());
    auto r = require<A>(*m);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return *r;
}

AttributeView view_of(AttributeType t, const std::vector<std::uint8_t>& v) {
    return {static_cast<std::uint16_t>(t), 20, v};
}

TEST(StunAttributes, XorAddressesRoundTripForBothFamilies) {
    auto v4 = *TransportAddress::parse("203.0.113.7:40000");
    auto v6 = *TransportAddress::parse("[2001:db8::42]:16384");
    EXPECT_EQ(round_trip(XorPeerAddress{v4}).address, v4);
    EXPECT_EQ(round_trip(XorRelayedAddress{v6}).address, v6);
    EXPECT_EQ(round_trip(MappedAddress{v4}).address, v4);
    EXPECT_EQ(round_trip(AlternateServer{v6}).address, v6);
}

TEST(StunAttributes, AddressWithUnknownFamilyIsRejected) {
    auto r = XorPeerAddress::decode(view_of(AttributeType::xor_peer_address, {0, 3, 0, 0, 1, 2, 3, 4}), id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().place, "XOR-PEER-ADDRESS");
    EXPECT_EQ(r.error().reason, "unknown address family");
}

TEST(StunAttributes, AddressWithWrongLengthIsRejected) {
    auto r = XorMappedAddress::decode(view_of(AttributeType::xor_mapped_address, {0, 1, 0, 0, 1, 2}), id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().reason, "length does not fit the family");
}

TEST(StunAttributes, ErrorCodeRoundTripsWithReason) {
    auto e = round_trip(ErrorCodeAttribute::of(ErrorCode::stale_nonce));
    EXPECT_EQ(e.code, 438);
    EXPECT_EQ(e.reason, "Stale Nonce");
}

TEST(StunAttributes, ErrorCodeOutOfRangeIsRejected) {
    auto r = ErrorCodeAttribute::decode(view_of(AttributeType::error_code, {0, 0, 7, 0}), id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().reason, "code out of range");
}

TEST(StunAttributes, TurnAttributesRoundTrip) {
    EXPECT_EQ(round_trip(ChannelNumber{0x4001}).number, 0x4001);
    EXPECT_EQ(round_trip(Lifetime{3600}).seconds, 3600u);
    EXPECT_EQ(round_trip(RequestedTransport{}).protocol, 17);
    EXPECT_EQ(round_trip(RequestedAddressFamily{family_ipv6}).family, family_ipv6);
    EXPECT_EQ(round_trip(AdditionalAddressFamily{family_ipv6}).family, family_ipv6);
    EXPECT_TRUE(round_trip(EvenPort{true}).reserve_next);
    ReservationToken t;
    t.token = {1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_EQ(round_trip(t).token, t.token);
    round_trip(DontFragment{});
    const std::uint8_t payload[] = {1, 2, 3, 4, 5};
    auto d = round_trip(Data{payload});
    EXPECT_EQ(std::vector<std::uint8_t>(d.bytes.begin(), d.bytes.end()),
              std::vector<std::uint8_t>(std::begin(payload), std::end(payload)));
}

TEST(StunAttributes, TextAndListAttributesRoundTrip) {
    EXPECT_EQ(round_trip(Realm{"hallpass.local"}).text, "hallpass.local");
    EXPECT_EQ(round_trip(Nonce{"abc"}).text, "abc");
    UnknownAttributes u;
    u.types[0] = 0x7777, u.types[1] = 0x0030, u.count = 2;
    auto back = round_trip(u);
    ASSERT_EQ(back.count, 2u);
    EXPECT_EQ(back.types[1], 0x0030);
    PasswordAlgorithms p;
    p.algorithms[0] = 1, p.algorithms[1] = 2, p.count = 2;
    EXPECT_EQ(round_trip(p).count, 2u);
    EXPECT_EQ(round_trip(PasswordAlgorithm{2}).algorithm, 2);
    auto ae = round_trip(AddressErrorCode{family_ipv6, 440, "Address Family not Supported"});
    EXPECT_EQ(ae.code, 440);
}

TEST(StunAttributes, FixedSizeAttributesRejectWrongLengths) {
    auto c = ChannelNumber::decode(view_of(AttributeType::channel_number, {0x40, 0}), id);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().place, "CHANNEL-NUMBER");
    EXPECT_FALSE(Lifetime::decode(view_of(AttributeType::lifetime, {0, 0}), id).ok());
    EXPECT_FALSE(RequestedTransport::decode(view_of(AttributeType::requested_transport, {17}), id).ok());
    EXPECT_FALSE(EvenPort::decode(view_of(AttributeType::even_port, {}), id).ok());
    EXPECT_FALSE(DontFragment::decode(view_of(AttributeType::dont_fragment, {1}), id).ok());
    EXPECT_FALSE(ReservationToken::decode(view_of(AttributeType::reservation_token, {1, 2}), id).ok());
}

TEST(StunAttributes, TooLongUsernameIsRejected) {
    std::vector<std::uint8_t> v(600, 'a');
    auto r = Username::decode(view_of(AttributeType::username, v), id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().place, "USERNAME");
}

TEST(StunAttributes, MissingAttributeIsNamed) {
    std::array<std::uint8_t, 64> buf{};
    MessageBuilder b(buf, Method::allocate, MessageClass::request, id);
    auto m = MessageView::parse(b.bytes());
    auto r = require<RequestedTransport>(*m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().place, "REQUESTED-TRANSPORT");
    EXPECT_EQ(r.error().reason, "missing");
}

TEST(StunBuilder, FailsInsteadOfOverflowing) {
    std::array<std::uint8_t, 30> buf{};
    MessageBuilder b(buf, Method::binding, MessageClass::request, id);
    b.add(Software{"this does not fit in thirty bytes"});
    EXPECT_FALSE(b.ok());
    EXPECT_TRUE(b.bytes().empty());
}

TEST(StunBuilder, IntegritySha256Verifies) {
    std::array<std::uint8_t, 128> buf{};
    MessageBuilder b(buf, Method::refresh, MessageClass::request, id);
    const auto key = long_term_key_sha256("u", "r", "p");
    b.add(Username{"u"}).add_message_integrity_sha256(key).add_fingerprint();
    auto m = MessageView::parse(b.bytes());
    ASSERT_TRUE(m.ok());
    EXPECT_TRUE(message_integrity_sha256_matches(*m, key));
    EXPECT_FALSE(message_integrity_sha256_matches(*m, long_term_key_sha256("u", "r", "q")));
}

}  // namespace
}  // namespace hallpass::stun
