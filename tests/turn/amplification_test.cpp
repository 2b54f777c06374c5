// No amplification (DESIGN.md "Defaults that protect the host"): over UDP the source of a
// request can be forged, so whatever an unauthenticated request earns is an answer no
// larger than about twice its own size, or none, and only so many of them per source
// prefix. Measured over every method and every malformed form.
#include <algorithm>

#include "stun/attributes.hpp"
#include "tests/turn/turn_harness.hpp"

namespace hallpass::turn::testing {
namespace {

using stun::AttributeType;
using stun::MessageClass;

// The bound the answers must stay within, and what the worst one came to: recorded for
// the test report. The worst is a real client's first Allocate (REQUESTED-TRANSPORT alone,
// 28 bytes) answered with 401: 20 + ERROR-CODE 8 + REALM 4+16 ("hallpass.test" padded) +
// NONCE 4+16 = 68 bytes, 2.43 times. Everything else is smaller.
constexpr double max_ratio = 2.5;

struct Measured {
    std::string what;
    std::size_t request = 0;
    std::size_t answer = 0;
    double ratio() const { return static_cast<double>(answer) / static_cast<double>(request); }
};

class Amplification : public ::testing::Test {
protected:
    Amplification() : h(options()) {}
    static HarnessOptions options() {
        HarnessOptions o;
        o.server.unauthenticated_replies.per_prefix_per_second = 0;  // sizes here, rates below
        return o;
    }

    // Builds a request of `method` with the attributes `fill` adds, sends it from a fresh
    // client address and records the sizes.
    template <class Fill>
    void measure(std::string what, std::uint16_t method, MessageClass cls, Fill fill) {
        std::array<std::uint8_t, 1024> buf{};
        stun::MessageBuilder b(buf, method, cls, stun::TransactionId{static_cast<std::uint8_t>(++n)});
        fill(b);
        ASSERT_TRUE(b.ok()) << what;
        feed(std::move(what), b.bytes());
    }
    void feed(std::string what, std::span<const std::uint8_t> request) {
        const ClientAction a = h.send(request, h.other_tuple(static_cast<std::uint16_t>(10000 + ++n)));
        EXPECT_NE(a.kind, ClientAction::Kind::to_peer) << what;
        results.push_back({std::move(what), request.size(), a.kind == ClientAction::Kind::reply ? a.bytes.size() : 0});
    }

    Harness h;
    std::vector<Measured> results;
    int n = 0;
};

const TransportAddress some_peer = *TransportAddress::parse("198.52.100.7:4000");

TEST_F(Amplification, NoUnauthenticatedAnswerIsMuchLargerThanItsRequest) {
    using stun::Method;
    const auto req = MessageClass::request;
    const auto none = [](stun::MessageBuilder&) {};
    const auto transport = [](stun::MessageBuilder& b) { b.add(stun::RequestedTransport{17}); };
    const auto peer = [](stun::MessageBuilder& b) { b.add(stun::XorPeerAddress{some_peer}); };
    const auto v6peer = [](stun::MessageBuilder& b) { b.add(stun::XorPeerAddress{*TransportAddress::parse("[2a00::1]:1")}); };
    for (auto method : {Method::binding, Method::allocate, Method::refresh, Method::create_permission,
                        Method::channel_bind}) {
        const std::string name(stun::method_name(static_cast<std::uint16_t>(method)));
        measure(name + " with nothing", static_cast<std::uint16_t>(method), req, none);
        measure(name + " with FINGERPRINT", static_cast<std::uint16_t>(method), req,
                [](stun::MessageBuilder& b) { b.add_fingerprint(); });
        measure(name + " with REQUESTED-TRANSPORT", static_cast<std::uint16_t>(method), req, transport);
        measure(name + " with a peer", static_cast<std::uint16_t>(method), req, peer);
        measure(name + " with an IPv6 peer", static_cast<std::uint16_t>(method), req, v6peer);
        measure(name + " with a channel and a peer", static_cast<std::uint16_t>(method), req,
                [](stun::MessageBuilder& b) { b.add(stun::ChannelNumber{0x4000}).add(stun::XorPeerAddress{some_peer}); });
        measure(name + " with LIFETIME", static_cast<std::uint16_t>(method), req,
                [](stun::MessageBuilder& b) { b.add(stun::Lifetime{0}); });
        measure(name + " with an unknown required attribute", static_cast<std::uint16_t>(method), req,
                [](stun::MessageBuilder& b) { b.append(0x7777, 0); });
        measure(name + " with 16 unknown required attributes", static_cast<std::uint16_t>(method), req,
                [](stun::MessageBuilder& b) {
                    for (std::uint16_t t = 0x7700; t < 0x7710; ++t) b.append(t, 0);
                });
        measure(name + " with a malformed LIFETIME", static_cast<std::uint16_t>(method), req,
                [](stun::MessageBuilder& b) {
                    b.add(stun::RequestedTransport{17});
                    b.append(AttributeType::lifetime, 1);
                });
        measure(name + " with USERNAME, REALM and NONCE but no integrity", static_cast<std::uint16_t>(method), req,
                [](stun::MessageBuilder& b) {
                    b.add(stun::RequestedTransport{17}).add(stun::Username{"alice"});
                    b.add(stun::Realm{realm}).add(stun::Nonce{"AAAAAAAAAAAAAAAA"});
                });
        measure(name + " signed with a key nobody has", static_cast<std::uint16_t>(method), req,
                [](stun::MessageBuilder& b) {
                    b.add(stun::RequestedTransport{17}).add(stun::Username{"alice"});
                    b.add(stun::Realm{realm}).add(stun::Nonce{"AAAAAAAAAAAAAAAA"});
                    b.add_message_integrity(stun::long_term_key_md5("alice", realm, "guess"));
                });
        measure(name + " signed without a nonce", static_cast<std::uint16_t>(method), req,
                [](stun::MessageBuilder& b) {
                    b.add(stun::RequestedTransport{17}).add(stun::Username{"alice"});
                    b.add_message_integrity(stun::long_term_key_md5("alice", realm, "guess"));
                });
        measure(name + " indication", static_cast<std::uint16_t>(method), MessageClass::indication, peer);
        measure(name + " success response", static_cast<std::uint16_t>(method), MessageClass::success, none);
        measure(name + " error response", static_cast<std::uint16_t>(method), MessageClass::error,
                [](stun::MessageBuilder& b) { b.add(stun::ErrorCodeAttribute::of(stun::ErrorCode::bad_request)); });
    }
    measure("an unknown method", 0x0ABC, req, none);
    measure("Data indication from a client", static_cast<std::uint16_t>(Method::data), MessageClass::indication, peer);
    // Broken framing and things that are not STUN at all.
    const Bytes junk[] = {Bytes{}, Bytes(1, 0), Bytes(19, 0), Bytes(20, 0), Bytes{0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4},
                          Bytes(64, 0xff), bytes_of("GET / HTTP/1.1\r\n\r\n")};
    for (const Bytes& j : junk) feed("junk of " + std::to_string(j.size()) + " bytes", j);

    const auto worst = *std::max_element(results.begin(), results.end(), [](const Measured& a, const Measured& b) {
        return a.request && b.request ? a.ratio() < b.ratio() : a.request == 0;
    });
    for (const auto& m : results) {
        if (m.request == 0) continue;
        EXPECT_LE(m.ratio(), max_ratio) << m.what << ": " << m.request << " bytes in, " << m.answer << " out";
    }
    RecordProperty("worst_ratio", std::to_string(worst.ratio()));
    RecordProperty("worst_case", worst.what);
    std::cout << "worst: " << worst.what << ": " << worst.request << " bytes in, " << worst.answer
              << " out (" << worst.ratio() << "x) over " << results.size() << " forms\n";
    // The real client's first request still earns its challenge.
    const auto first = std::find_if(results.begin(), results.end(), [](const Measured& m) {
        return m.what == "Allocate with REQUESTED-TRANSPORT";
    });
    ASSERT_NE(first, results.end());
    EXPECT_GT(first->answer, 0u);
}

TEST(ReplyRateLimit, ASourcePrefixGetsItsBurstThenItsRate) {
    ReplyRateLimiter limiter({100, 300, 100000, 4096}, 1);
    const auto source = *IpAddress::parse("203.0.113.5");
    const auto neighbour = *IpAddress::parse("203.0.113.77");  // same /24
    int allowed = 0;
    for (int i = 0; i < 1000; ++i) allowed += limiter.allow(i % 2 ? source : neighbour, alloc::Millis{0});
    EXPECT_EQ(allowed, 300);
    allowed = 0;
    for (int ms = 1; ms <= 1000; ++ms) allowed += limiter.allow(source, alloc::Millis{ms});
    EXPECT_EQ(allowed, 100);  // one second at 100 a second
    EXPECT_TRUE(limiter.allow(*IpAddress::parse("203.0.114.5"), alloc::Millis{1000}));  // another /24
}

TEST(ReplyRateLimit, IPv6IsLimitedPer48) {
    ReplyRateLimiter limiter({10, 10, 100000, 4096}, 1);
    int allowed = 0;
    for (int i = 0; i < 100; ++i)
        allowed += limiter.allow(*IpAddress::parse("2001:db8:5:" + std::to_string(i) + "::1"), alloc::Millis{0});
    EXPECT_EQ(allowed, 10);
}

TEST(ReplyRateLimit, AFloodOfFreshSourcesNeitherGrowsTheTableNorFreesAVictim) {
    ReplyRateLimiter limiter({100, 100, 1000000000, 4096}, 7);
    const auto victim = *IpAddress::parse("198.52.100.9");
    for (int i = 0; i < 100; ++i) limiter.allow(victim, alloc::Millis{0});
    EXPECT_FALSE(limiter.allow(victim, alloc::Millis{0}));
    // A million forged sources, each in its own /24, in the same millisecond.
    for (std::uint32_t i = 0; i < 1'000'000; ++i) limiter.allow(IpAddress::v4(i << 8 | 1), alloc::Millis{0});
    EXPECT_LE(limiter.tracked(), limiter.table_size());
    // The victim's empty bucket was never handed to anyone else: it is still limited.
    EXPECT_FALSE(limiter.allow(victim, alloc::Millis{0}));
}

TEST(ReplyRateLimit, TheTotalIsCappedToo) {
    ReplyRateLimiter limiter({1000, 1000, 50, 4096}, 3);
    int allowed = 0;
    for (std::uint32_t i = 0; i < 1000; ++i) allowed += limiter.allow(IpAddress::v4(i << 8 | 1), alloc::Millis{0});
    EXPECT_EQ(allowed, 50);
}

TEST(ReplyRateLimit, TheServerStopsAnsweringAForgedFloodButNotOthers) {
    HarnessOptions o;
    o.server.unauthenticated_replies = {50, 50, 100000, 4096};
    Harness h(o);
    TurnClient c("", "", 1);
    int answered = 0;
    for (int i = 0; i < 500; ++i)
        answered += h.send(c.allocate_request(h.out), h.other_tuple(static_cast<std::uint16_t>(20000 + i))).kind ==
                    ClientAction::Kind::reply;
    EXPECT_EQ(answered, 50);
    // Another network is answered, and so is an authenticated client on the flooded one.
    alloc::FiveTuple elsewhere = h.tuple;
    elsewhere.client = at("8.8.8.8:5000");
    EXPECT_EQ(h.send(c.allocate_request(h.out), elsewhere).kind, ClientAction::Kind::reply);
}

TEST(ReplyRateLimit, StreamsAreNotLimitedTheirSourceCannotBeForged) {
    HarnessOptions o;
    o.server.unauthenticated_replies = {5, 5, 100000, 4096};
    o.transport = alloc::Transport::tcp;
    Harness h(o);
    TurnClient c("", "", 1);
    for (int i = 0; i < 50; ++i) ASSERT_EQ(h.send(c.binding_request(h.out)).kind, ClientAction::Kind::reply);
}

TEST(ReplyRateLimit, AuthenticatedAnswersAreNotLimited) {
    HarnessOptions o;
    o.server.unauthenticated_replies = {2, 2, 100000, 4096};
    Harness h(o);
    TurnClient alice("alice", "alice-pw", 1);
    ASSERT_EQ(h.allocate(alice).kind, Kind::success);  // the 401 took one of two
    for (int i = 0; i < 20; ++i) ASSERT_EQ(h.refresh(alice, 600).kind, Kind::success);
}

}  // namespace
}  // namespace hallpass::turn::testing
