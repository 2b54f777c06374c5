// Binding (RFC 8489 §7.3) and the handling of attributes the server does not know (§14).
#include "stun/attributes.hpp"
#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::MessageClass;
using stun::Method;

// A Binding request carrying one extra attribute of `type` with a 4-byte value.
Bytes binding_with_attribute(std::uint16_t type, std::span<std::uint8_t> buf) {
    stun::MessageBuilder b(buf, Method::binding, MessageClass::request, stun::TransactionId{7});
    auto v = b.append(type, 4);
    std::fill(v.begin(), v.end(), std::uint8_t{0xAB});
    return bytes_of(b.bytes());
}

TEST(TurnBinding, AnswersWithoutAuthenticationWithXorMappedAddress) {
    Harness h;
    TurnClient c("nobody", "nothing", 1);
    const ClientResult r = h.exchange(c, c.binding_request(h.out), h.tuple);
    ASSERT_EQ(r.kind, Kind::success);
    EXPECT_EQ(r.method, static_cast<std::uint16_t>(Method::binding));
    EXPECT_EQ(r.mapped, h.tuple.client);
}

TEST(TurnBinding, RefusesUnknownComprehensionRequiredAttributeWith420) {
    Harness h;
    const Bytes request = binding_with_attribute(0x7777, h.out);
    const ClientAction a = h.send(request);
    ASSERT_EQ(a.kind, ClientAction::Kind::reply);
    auto m = stun::MessageView::parse(a.bytes);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is(Method::binding, MessageClass::error));
    EXPECT_EQ(stun::get<stun::ErrorCodeAttribute>(*m)->code, 420);
    auto unknown = stun::get<stun::UnknownAttributes>(*m);
    ASSERT_TRUE(unknown);
    ASSERT_EQ(unknown->count, 1u);
    EXPECT_EQ(unknown->types[0], 0x7777);
}

TEST(TurnBinding, IgnoresUnknownOptionalAttribute) {
    Harness h;
    const Bytes request = binding_with_attribute(0xC0DE, h.out);
    const ClientAction a = h.send(request);
    ASSERT_EQ(a.kind, ClientAction::Kind::reply);
    auto m = stun::MessageView::parse(a.bytes);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is(Method::binding, MessageClass::success));
    EXPECT_EQ(stun::get<stun::XorMappedAddress>(*m)->address, h.tuple.client);
}

}  // namespace
}  // namespace hallpass::turn::testing
