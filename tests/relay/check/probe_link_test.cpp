// `hallpass probe --proxy` and $https_proxy: what is taken for a proxy address.
#include <gtest/gtest.h>

#include "relay/check/probe/probe_link.hpp"

namespace hallpass::relay::probe {
namespace {

TEST(ProbeProxy, ReadsTheFormsAProxySettingTakes) {
    const auto a = parse_proxy("http://proxy.school.example:3128");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "proxy.school.example");
    EXPECT_EQ(a->port, 3128);
    EXPECT_EQ(parse_proxy("10.0.0.1:8080")->host, "10.0.0.1");
    EXPECT_EQ(parse_proxy("http://[2001:db8::1]:3128/")->host, "2001:db8::1");
    // Credentials in the URL are not sent anywhere: the address is what is left.
    EXPECT_EQ(parse_proxy("http://user:pw@proxy:3128")->host, "proxy");
}

TEST(ProbeProxy, RefusesWhatIsNoHostAndPort) {
    for (const char* bad : {"", "proxy", "http://proxy", "proxy:", "proxy:0", "proxy:65536", "proxy:12ab", ":3128",
                            "http://proxy:99999999"})
        EXPECT_FALSE(parse_proxy(bad)) << bad;
}

}  // namespace
}  // namespace hallpass::relay::probe

#include "relay/check/probe/probe_run.hpp"

namespace hallpass::relay::probe {
namespace {

std::string answer(int status, const std::string& body, const std::string& extra = "") {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
           "\r\n" + body;
}

const std::string good = R"({"username":"1:hallpass-check:ab:192.0.2.1","credential":"x","client":"192.0.2.1",)"
                         R"("transports":[{"name":"UDP 3478","protocol":"udp","port":3478,"address":"198.51.100.1"}],)"
                         R"("relay":{"addresses":["203.0.113.0/24"],"ports":{"min":1,"max":2}}})";

TEST(ProbeOffer, TakesTheServersOffer) {
    const auto f = parse_offer_answer(answer(200, good));
    ASSERT_EQ(f.error, "");
    EXPECT_EQ(f.credentials.username, "1:hallpass-check:ab:192.0.2.1");
    EXPECT_EQ(f.offer.at("transports").as_array().size(), 1u);
}

TEST(ProbeOffer, SaysWhyThereAreNoCredentials) {
    EXPECT_EQ(parse_offer_answer(answer(429, "", "Retry-After: 3\r\n")).error,
              "the server refused: too many checks from this address (try again in 3 s)");
    EXPECT_NE(parse_offer_answer(answer(404, "not found")).error.find("is check.enabled on?"), std::string::npos);
    EXPECT_EQ(parse_offer_answer("SSH-2.0-OpenSSH").error, "the server's answer to POST /check/credentials is not HTTP");
}

TEST(ProbeOffer, RefusesAnOfferNotInTheServersForm) {
    std::vector<std::string> bad = {"[]", "{}", R"({"username":"u","credential":"c"})"};
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {R"("port":3478)", R"("port":0)"},
             {R"("port":3478)", R"("port":"3478")"},
             {R"("protocol":"udp")", R"("protocol":"sctp")"},
             {R"("client":"192.0.2.1")", R"("client":7)"},
             {R"(["203.0.113.0/24"])", R"([1])"},
             {R"("credential":"x")", R"("credential":null)"},
             // Where the probe connects, and what it prints: IP literals, CIDRs, ports.
             {R"("address":"198.51.100.1")", R"("address":"x

GET http://10.0.0.5/ HTTP/1.1")"},
             {R"("address":"198.51.100.1")", R"("address":"intranet.local")"},
             {R"("name":"UDP 3478")", R"("name":"UDP [2J")"},
             {R"(["203.0.113.0/24"])", R"(["]0;pwned"])"},
             {R"("min":1)", R"("min":1e300)"},
             {R"("max":2)", R"("max":70000)"}}) {
        std::string body = good;
        body.replace(body.find(from), from.size(), to);
        bad.push_back(body);
    }
    for (const auto& body : bad)
        EXPECT_EQ(parse_offer_answer(answer(200, body)).error, "the server's credentials are not the JSON expected") << body;
}

}  // namespace
}  // namespace hallpass::relay::probe
