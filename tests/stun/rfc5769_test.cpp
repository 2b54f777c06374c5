// RFC 5769 test vectors: each parses, its integrity and fingerprint check out, and building
// the same message with MessageBuilder gives the same bytes.
#include <gtest/gtest.h>

#include "stun/attributes.hpp"
#include "stun/message_builder.hpp"
#include "stun/message_view.hpp"
#include "tests/stun/sample_file.hpp"

namespace hallpass::stun {
namespace {

using testing::load_sample;

const char* short_term_password = "VOkJxbRl1RmTxUk/WvJxBt";
constexpr TransactionId vector_id = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                     0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

std::vector<std::uint8_t> bytes_of(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

TEST(Rfc5769, SampleRequestParsesAndVerifies) {
    const auto bytes = load_sample("rfc5769/sample_request.txt");
    auto m = MessageView::parse(bytes);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_TRUE(m->is(Method::binding, MessageClass::request));
    EXPECT_EQ(m->transaction_id(), vector_id);
    EXPECT_EQ(get<Username>(*m)->text, "evtj:h6vY");
    EXPECT_EQ(get<Software>(*m)->text, "STUN test client");
    EXPECT_TRUE(message_integrity_matches(*m, short_term_key(short_term_password)));
    EXPECT_FALSE(message_integrity_matches(*m, short_term_key("wrong")));
}

TEST(Rfc5769, SampleRequestBuildsByteForByte) {
    const auto expected = load_sample("rfc5769/sample_request.txt");
    std::array<std::uint8_t, 256> buf{};
    MessageBuilder b(buf, Method::binding, MessageClass::request, vector_id);
    b.set_padding_byte(0x20);
    b.add(Software{"STUN test client"});
    const std::uint8_t priority[] = {0x6e, 0x00, 0x01, 0xff};
    std::ranges::copy(priority, b.append(AttributeType::priority, 4).begin());
    const std::uint8_t tie[] = {0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36};
    std::ranges::copy(tie, b.append(AttributeType::ice_controlled, 8).begin());
    b.add(Username{"evtj:h6vY"});
    b.add_message_integrity(short_term_key(short_term_password)).add_fingerprint();
    EXPECT_EQ(bytes_of(b.bytes()), expected);
}

TEST(Rfc5769, Ipv4ResponseParsesAndBuildsByteForByte) {
    const auto expected = load_sample("rfc5769/sample_ipv4_response.txt");
    auto m = MessageView::parse(expected);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_TRUE(m->is(Method::binding, MessageClass::success));
    const auto mapped = get<XorMappedAddress>(*m);
    ASSERT_TRUE(mapped);
    EXPECT_EQ(mapped->address.to_string(), "192.0.2.1:32853");
    EXPECT_TRUE(message_integrity_matches(*m, short_term_key(short_term_password)));

    std::array<std::uint8_t, 256> buf{};
    MessageBuilder b(buf, Method::binding, MessageClass::success, vector_id);
    b.set_padding_byte(0x20);
    b.add(Software{"test vector"}).add(XorMappedAddress{mapped->address});
    b.add_message_integrity(short_term_key(short_term_password)).add_fingerprint();
    EXPECT_EQ(bytes_of(b.bytes()), expected);
}

TEST(Rfc5769, Ipv6ResponseParsesAndBuildsByteForByte) {
    const auto expected = load_sample("rfc5769/sample_ipv6_response.txt");
    auto m = MessageView::parse(expected);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    const auto mapped = get<XorMappedAddress>(*m);
    ASSERT_TRUE(mapped);
    EXPECT_EQ(mapped->address.to_string(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
    EXPECT_TRUE(message_integrity_matches(*m, short_term_key(short_term_password)));

    std::array<std::uint8_t, 256> buf{};
    MessageBuilder b(buf, Method::binding, MessageClass::success, vector_id);
    b.set_padding_byte(0x20);
    b.add(Software{"test vector"}).add(XorMappedAddress{mapped->address});
    b.add_message_integrity(short_term_key(short_term_password)).add_fingerprint();
    EXPECT_EQ(bytes_of(b.bytes()), expected);
}

TEST(Rfc5769, LongTermRequestVerifiesWithMd5Key) {
    const auto expected = load_sample("rfc5769/sample_request_long_term.txt");
    auto m = MessageView::parse(expected);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    const std::string username = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
    EXPECT_EQ(get<Username>(*m)->text, username);
    EXPECT_EQ(get<Nonce>(*m)->text, "f//499k954d6OL34oL9FSTvy64sA");
    EXPECT_EQ(get<Realm>(*m)->text, "example.org");
    const auto key = long_term_key_md5(username, "example.org", "TheMatrIX");
    EXPECT_TRUE(message_integrity_matches(*m, key));

    std::array<std::uint8_t, 256> buf{};
    const TransactionId id = {0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e};
    MessageBuilder b(buf, Method::binding, MessageClass::request, id);
    b.add(Username{username}).add(Nonce{"f//499k954d6OL34oL9FSTvy64sA"}).add(Realm{"example.org"});
    b.add_message_integrity(key);
    EXPECT_EQ(bytes_of(b.bytes()), expected);
}

TEST(Rfc5769, CorruptedFingerprintIsRejected) {
    auto bytes = load_sample("rfc5769/sample_request.txt");
    bytes.back() ^= 0x01;
    auto m = MessageView::parse(bytes);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().place, "FINGERPRINT");
    EXPECT_EQ(m.error().reason, "mismatch");
}

}  // namespace
}  // namespace hallpass::stun
