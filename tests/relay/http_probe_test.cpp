// HTTP on a TURN port: the first bytes tell HTTP from STUN and ChannelData.
#include "relay/http_probe.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hallpass::relay {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::string_view text) { return Bytes(text.begin(), text.end()); }

FirstBytes classify(const Bytes& b) { return classify_first_bytes(b); }
FirstBytes classify(std::string_view text) { return classify(bytes_of(text)); }

// ---- classify_first_bytes ------------------------------------------------------------

TEST(HttpProbeClassify, TakesEveryKnownMethodForHttp) {
    for (std::string_view request :
         {"GET / HTTP/1.1", "HEAD / HTTP/1.1", "POST / HTTP/1.1", "PUT / HTTP/1.1",
          "DELETE / HTTP/1.1", "OPTIONS * HTTP/1.1", "PATCH / HTTP/1.1",
          "CONNECT a:443 HTTP/1.1", "TRACE / HTTP/1.1"}) {
        EXPECT_EQ(classify(request), FirstBytes::http) << request;
        EXPECT_EQ(classify(request.substr(0, 4)), FirstBytes::http) << request;
        for (std::size_t n = 1; n < 4; ++n)
            EXPECT_EQ(classify(request.substr(0, n)), FirstBytes::need_more) << request << n;
    }
}

TEST(HttpProbeClassify, NeedsMoreOnNothing) {
    EXPECT_EQ(classify(Bytes{}), FirstBytes::need_more);
}

TEST(HttpProbeClassify, TakesEveryStunFirstByteForTurnAtOnce) {
    // STUN: top bits 00, so 0x00-0x3F, none of them an upper-case letter.
    for (unsigned b = 0x00; b <= 0x3F; ++b)
        EXPECT_EQ(classify(Bytes{static_cast<std::uint8_t>(b)}), FirstBytes::turn) << b;
    // A Binding request and an Allocate request.
    EXPECT_EQ(classify(Bytes{0x00, 0x01, 0x00, 0x00}), FirstBytes::turn);
    EXPECT_EQ(classify(Bytes{0x00, 0x03, 0x00, 0x08}), FirstBytes::turn);
}

TEST(HttpProbeClassify, DecidesOnTheFirstByteWhenNoMethodStartsWithIt) {
    const std::string_view method_initials = "GHPDOCT";
    for (unsigned b = 0x40; b <= 0xFF; ++b) {
        const auto first = static_cast<std::uint8_t>(b);
        const bool initial = method_initials.find(static_cast<char>(b)) != std::string_view::npos;
        EXPECT_EQ(classify(Bytes{first}), initial ? FirstBytes::need_more : FirstBytes::turn) << b;
    }
}

TEST(HttpProbeClassify, TakesChannelDataThatIsNoMethodForTurn) {
    // Channel 0x4745 ("GE") with a length that is not "T ": ChannelData, not HTTP.
    EXPECT_EQ(classify(Bytes{0x47, 0x45, 0x00, 0x10}), FirstBytes::turn);
    EXPECT_EQ(classify(Bytes{0x47, 0x45, 0x54}), FirstBytes::need_more);  // could be "GET"
    EXPECT_EQ(classify(Bytes{0x47, 0x46}), FirstBytes::turn);             // "GF": no method
    EXPECT_EQ(classify(Bytes{0x48, 0x45, 0x41, 0x45}), FirstBytes::turn);  // "HEAE"
    EXPECT_EQ(classify(Bytes{0x40, 0x00, 0x00, 0x04}), FirstBytes::turn);  // channel 0x4000
    EXPECT_EQ(classify("get / HTTP/1.1"), FirstBytes::turn);             // methods are upper case
    EXPECT_EQ(classify("GETX"), FirstBytes::turn);
}

TEST(HttpProbeClassify, TakesGetSpaceForHttpEvenThoughItIsAlsoChannelData) {
    // Channel 0x4745 with length 0x5420: the documented choice (see http_probe.hpp).
    EXPECT_EQ(classify(Bytes{0x47, 0x45, 0x54, 0x20}), FirstBytes::http);
}

TEST(HttpProbeClassify, TakesATlsClientHelloForTurn) {
    EXPECT_EQ(classify(Bytes{0x16, 0x03, 0x01, 0x02, 0x00}), FirstBytes::turn);
}

}  // namespace
}  // namespace hallpass::relay
