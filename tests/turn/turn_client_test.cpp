// TurnClient on its own: what it sends, which answers it accepts, and that its data path
// does not allocate.
#include "stun/attributes.hpp"
#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::AttributeType;

TEST(TurnClient, SendsFirstRequestUnsignedAndLaterOnesSigned) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    auto first = stun::MessageView::parse(c.allocate_request(h.out));
    ASSERT_TRUE(first);
    EXPECT_FALSE(first->has(AttributeType::message_integrity));
    EXPECT_FALSE(first->has(AttributeType::username));
    ASSERT_EQ(h.exchange(c, first->bytes(), h.tuple).kind, Kind::retry);

    auto second = stun::MessageView::parse(c.allocate_request(h.out));
    ASSERT_TRUE(second);
    EXPECT_EQ(stun::get<stun::Username>(*second)->text, "alice");
    EXPECT_EQ(stun::get<stun::Realm>(*second)->text, realm);
    EXPECT_EQ(stun::get<stun::Nonce>(*second)->text, c.nonce());
    EXPECT_TRUE(stun::message_integrity_matches(
        *second, stun::long_term_key_md5("alice", realm, "alice-pw")));
}

TEST(TurnClient, UsesFreshTransactionIdForEachRequest) {
    std::array<std::uint8_t, 256> buf{};
    TurnClient c("alice", "alice-pw", 1);
    const auto a = stun::MessageView::parse(c.binding_request(buf))->transaction_id();
    const auto b = stun::MessageView::parse(c.binding_request(buf))->transaction_id();
    EXPECT_NE(a, b);
}

TEST(TurnClient, IgnoresAnswerToUnknownTransaction) {
    Harness h;
    TurnClient asker("alice", "alice-pw", 1);
    TurnClient bystander("alice", "alice-pw", 2);
    const ClientAction a = h.send(asker.binding_request(h.out));
    ASSERT_EQ(a.kind, ClientAction::Kind::reply);
    EXPECT_EQ(bystander.handle_response(a.bytes).kind, Kind::not_mine);
    EXPECT_EQ(asker.handle_response(a.bytes).kind, Kind::success);
    EXPECT_EQ(asker.handle_response(a.bytes).kind, Kind::not_mine);  // answered already
}

TEST(TurnClient, IgnoresGarbageAndRequests) {
    TurnClient c("alice", "alice-pw", 1);
    std::array<std::uint8_t, 256> buf{};
    EXPECT_EQ(c.handle_response(bytes_of("not stun at all")).kind, Kind::not_mine);
    EXPECT_EQ(c.handle_response(c.binding_request(buf)).kind, Kind::not_mine);
}

TEST(TurnClient, DiscardsSuccessWithBadMessageIntegrityAndKeepsWaiting) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    ASSERT_EQ(h.exchange(c, c.allocate_request(h.out), h.tuple).kind, Kind::retry);
    const ClientAction a = h.send(c.allocate_request(h.out));
    ASSERT_EQ(a.kind, ClientAction::Kind::reply);
    const Bytes genuine = bytes_of(a.bytes);
    Bytes forged = genuine;
    forged[forged.size() - 1] ^= 0x01;  // the last byte of the HMAC
    EXPECT_EQ(c.handle_response(forged).kind, Kind::not_mine);
    EXPECT_EQ(c.handle_response(genuine).kind, Kind::success);
}

TEST(TurnClient, DiscardsUnsignedSuccessToSignedRequest) {
    Harness h;
    TurnClient c("alice", "alice-pw", 1);
    ASSERT_EQ(h.exchange(c, c.allocate_request(h.out), h.tuple).kind, Kind::retry);
    auto request = stun::MessageView::parse(c.allocate_request(h.out));
    ASSERT_TRUE(request);
    std::array<std::uint8_t, 256> buf{};
    stun::MessageBuilder b(buf, stun::Method::allocate, stun::MessageClass::success,
                           request->transaction_id());
    b.add(stun::XorRelayedAddress{at("192.0.2.1:20000")});
    EXPECT_EQ(c.handle_response(b.bytes()).kind, Kind::not_mine);
}

TEST(TurnClient, ReportsSignedChallengeAsErrorNotRetry) {
    // A 401 to a request that was already signed means the password is wrong: retrying
    // with the same credentials would loop.
    Harness h;
    TurnClient c("alice", "wrong", 1);
    ASSERT_EQ(h.exchange(c, c.allocate_request(h.out), h.tuple).kind, Kind::retry);
    const ClientResult r = h.exchange(c, c.allocate_request(h.out), h.tuple);
    EXPECT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.code, stun::ErrorCode::unauthenticated);
}

TEST(TurnClient, FramesChannelDataWithOptionalPadding) {
    std::array<std::uint8_t, 16> buf{};
    buf.fill(0xEE);
    const Bytes payload{9, 8, 7};
    EXPECT_EQ(bytes_of(TurnClient::channel_data(buf, 0x4001, payload)),
              (Bytes{0x40, 0x01, 0x00, 0x03, 9, 8, 7}));
    EXPECT_EQ(bytes_of(TurnClient::channel_data(buf, 0x4001, payload, true)),
              (Bytes{0x40, 0x01, 0x00, 0x03, 9, 8, 7, 0}));
    std::array<std::uint8_t, 6> small{};
    EXPECT_TRUE(TurnClient::channel_data(small, 0x4001, payload).empty());
}

TEST(TurnClient, ParseIncomingRejectsOtherMessages) {
    std::array<std::uint8_t, 256> buf{};
    TurnClient c("alice", "alice-pw", 1);
    EXPECT_FALSE(TurnClient::parse_incoming(c.binding_request(buf)));
    EXPECT_FALSE(TurnClient::parse_incoming({}));
    const Bytes truncated{0x40, 0x00, 0x00, 0x08, 1, 2};
    EXPECT_FALSE(TurnClient::parse_incoming(truncated));
    // A Send indication is what the client sends, not what it receives.
    const auto send = c.send_indication(buf, at("198.52.100.7:1"), truncated);
    EXPECT_FALSE(TurnClient::parse_incoming(send));
}

}  // namespace
}  // namespace hallpass::turn::testing
