// The check's verdicts and IT report: what "works", "slow", "blocked" and "connects but no
// media" mean, whether students can join, and the list of what to open, best first, with
// what this network blocks now.
#include <gtest/gtest.h>

#include "relay/check/check_report.hpp"

namespace hallpass::relay {
namespace {

namespace json = boost::json;

const json::object offer = json::parse(R"({
  "client": "192.0.2.44",
  "transports": [{"name": "UDP 3478", "protocol": "udp", "port": 3478, "address": "198.51.100.1"},
                 {"name": "TCP 3478", "protocol": "tcp", "port": 3478, "address": "198.51.100.1"},
                 {"name": "TLS 443", "protocol": "tls", "port": 443, "address": "198.51.100.1"}],
  "stun": [{"port": 3478, "address": "198.51.100.1"}],
  "relay": {"addresses": ["203.0.113.0/25"], "ports": {"min": 40000, "max": 49999}}})").as_object();

json::object report(const char* measured) {
    const auto r = check_report(offer, json::parse(measured));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? *r : json::object{};
}

std::vector<std::string> verdicts(const json::object& r) {
    std::vector<std::string> out;
    for (const auto& p : r.at("paths").as_array())
        out.push_back(std::string(p.at("name").as_string()) + ": " + std::string(p.at("verdict").as_string()));
    return out;
}

std::vector<std::string> blocked(const json::object& r) {
    std::vector<std::string> out;
    for (const auto& b : r.at("it").at("blocked").as_array()) out.emplace_back(b.as_string());
    return out;
}

constexpr const char* good_media = R"("connected": true, "sent": 600, "received": 598, "rtt_ms": 30, "kbps": 1490)";

TEST(CheckReport, AnOpenNetworkIsReady) {
    const auto r = report((std::string(R"({"host": "turn.example.org",
      "transports": [{"name": "UDP 3478", "ok": true, "ms": 80}, {"name": "TCP 3478", "ok": true, "ms": 90},
                     {"name": "TLS 443", "ok": true, "ms": 120}],
      "media": [{"transport": "UDP 3478", )") + good_media + R"(}, {"transport": "TLS 443", )" + good_media + R"(}],
      "direct_udp": {"tried": true, "ok": true}})").c_str());
    EXPECT_TRUE(r.at("can_join").as_bool());
    EXPECT_EQ(r.at("summary").as_string(), "This network is ready for lessons.");
    EXPECT_EQ(verdicts(r), (std::vector<std::string>{"TURN over UDP 3478: works", "TURN over TCP 3478: works",
                                                    "TURN over TLS 443: works", "Video test over UDP 3478: works",
                                                    "Video test over TLS 443: works",
                                                    "UDP straight to the relay addresses: works"}));
    EXPECT_TRUE(blocked(r).empty());
    EXPECT_EQ(r.at("it").at("text").as_string(),
              "Connection check for turn.example.org\n"
              "Result: students on this network can join lessons.\n\n"
              "Allow these connections out, in order of preference:\n"
              "1. UDP to turn.example.org (198.51.100.1) port 3478 - TURN and STUN over UDP (best quality) - open\n"
              "2. UDP to 203.0.113.0/25 ports 40000-49999 - media straight to the relay addresses (best quality) - open\n"
              "3. TCP to turn.example.org (198.51.100.1) port 443 - TURN over TLS (works where only web traffic gets out) - open\n"
              "4. TCP to turn.example.org (198.51.100.1) port 3478 - TURN over TCP - open\n");
}

TEST(CheckReport, OnlyTheWebPortOpenStillJoinsAndListsTheRest) {
    const auto r = report((std::string(R"({"host": "198.51.100.1",
      "transports": [{"name": "UDP 3478", "ok": false, "error": "701 STUN host lookup received error."},
                     {"name": "TCP 3478", "ok": false}, {"name": "TLS 443", "ok": true, "ms": 200}],
      "media": [{"transport": "TLS 443", )") + good_media + R"(}], "direct_udp": {"tried": true, "ok": false}})").c_str());
    EXPECT_TRUE(r.at("can_join").as_bool());
    EXPECT_EQ(r.at("summary").as_string(), "Lessons will work, over a fallback path.");
    EXPECT_NE(std::string(r.at("advice").as_string()).find("Only the web port (TLS) gets out"), std::string::npos);
    EXPECT_EQ(blocked(r), (std::vector<std::string>{"UDP to 198.51.100.1 port 3478",
                                                   "UDP to 203.0.113.0/25 ports 40000-49999",
                                                   "TCP to 198.51.100.1 port 3478"}));
    EXPECT_EQ(r.at("paths").as_array()[0].at("detail").as_string(), "701 STUN host lookup received error.");
}

TEST(CheckReport, ConnectsButNoMediaIsNotJoining) {
    const auto r = report(R"({"transports": [{"name": "TLS 443", "ok": true, "ms": 150}],
      "media": [{"transport": "TLS 443", "connected": true, "sent": 600, "received": 0, "kbps": 0}]})");
    EXPECT_FALSE(r.at("can_join").as_bool());
    EXPECT_EQ(verdicts(r).back(), "Video test over TLS 443: no-media");
    EXPECT_EQ(r.at("summary").as_string(), "Lessons cannot connect from this network.");
}

TEST(CheckReport, LossDelayOrALowRateIsSlow) {
    for (const char* media : {R"("connected": true, "sent": 600, "received": 500, "rtt_ms": 30, "kbps": 1300)",
                              R"("connected": true, "sent": 600, "received": 600, "rtt_ms": 900, "kbps": 1500)",
                              R"("connected": true, "sent": 600, "received": 600, "rtt_ms": 30, "kbps": 500)"}) {
        const auto r = report((std::string(R"({"transports": [{"name": "UDP 3478", "ok": true, "ms": 50}],
          "media": [{"transport": "UDP 3478", )") + media + "}]}").c_str());
        EXPECT_EQ(verdicts(r).back(), "Video test over UDP 3478: slow") << media;
        EXPECT_TRUE(r.at("can_join").as_bool());
    }
    const auto late = report(R"({"transports": [{"name": "UDP 3478", "ok": true, "ms": 5000}]})");
    EXPECT_EQ(verdicts(late)[0], "TURN over UDP 3478: slow");
}

TEST(CheckReport, SaysWhenWebTrafficLeavesThroughAnotherAddressThanUdp) {
    const char* measured = R"({"reflexive": "198.51.100.77", "transports": [{"name": "UDP 3478", "ok": true, "ms": 20}]})";
    const auto r = report(measured);  // the offer's client is 192.0.2.44
    EXPECT_TRUE(r.at("web_address_differs").as_bool());
    EXPECT_NE(std::string(r.at("it").at("text").as_string())
                  .find("Web traffic reached the server from 192.0.2.44, UDP from 198.51.100.77"),
              std::string::npos);
    const auto same = report(R"({"reflexive": "192.0.2.44", "transports": []})");
    EXPECT_FALSE(same.at("web_address_differs").as_bool());
    const auto none = report(R"({"reflexive": "not an address", "transports": []})");
    EXPECT_FALSE(none.at("web_address_differs").as_bool());
}

TEST(CheckReport, AnErrorAnswerIsARefusalNotABlock) {
    const auto r = report(R"({"transports": [{"name": "UDP 3478", "ok": false, "answered": true, "error": "401 Unauthenticated"},
                                             {"name": "TLS 443", "ok": true, "ms": 90}],
      "media": [{"transport": "TLS 443", "connected": true, "sent": 100, "received": 100, "rtt_ms": 5, "kbps": 1500,
                 "jitter_ms": 1.4}]})");
    EXPECT_EQ(verdicts(r)[0], "TURN over UDP 3478: refused");
    EXPECT_TRUE(blocked(r).empty());  // the network let it through
    EXPECT_EQ(r.at("paths").as_array()[2].at("detail").as_string(), "1500 kbit/s, loss 0 %, round trip 5 ms, jitter 1 ms");
}

TEST(CheckReport, NothingThroughMeansNoJoining) {
    const auto r = report(R"({"transports": [{"name": "UDP 3478", "ok": false}, {"name": "TCP 3478", "ok": false},
                                             {"name": "TLS 443", "ok": false}], "proxy": true})");
    EXPECT_FALSE(r.at("can_join").as_bool());
    EXPECT_EQ(blocked(r).size(), 3u);  // the relay range was not tried: nothing to try it through
    EXPECT_NE(std::string(r.at("it").at("text").as_string()).find("through a web proxy"), std::string::npos);
}

TEST(CheckReport, RefusesMeasurementsItCannotTrust) {
    for (const char* bad : {R"([])", R"({})", R"({"transports": {}})",
                            R"({"transports": [{"name": "UDP 9999", "ok": true}]})",
                            R"({"transports": [1]})",
                            R"({"transports": [], "media": [{"transport": "nope"}]})",
                            R"({"transports": [], "media": [{}, {}, {}, {}, {}]})"}) {
        EXPECT_FALSE(check_report(offer, json::parse(bad)).ok()) << bad;
    }
    // Numbers out of range count as absent: every later cast stays defined.
    const auto huge = report(R"({"transports": [{"name": "TLS 443", "ok": true, "ms": 1e300}],
      "media": [{"transport": "TLS 443", "connected": true, "sent": 1e300, "received": 1e308, "kbps": 1e300}]})");
    EXPECT_EQ(verdicts(huge), (std::vector<std::string>{"TURN over TLS 443: works", "Video test over TLS 443: no-media"}));
    // Text is bounded and printable: a report is copied into mails.
    const auto r = report(R"({"host": "x\u0001y", "transports": [{"name": "UDP 3478", "ok": false, "error": "a\nb"}]})");
    EXPECT_EQ(r.at("paths").as_array()[0].at("detail").as_string(), "a?b");
    EXPECT_EQ(std::string(r.at("it").at("text").as_string()).substr(0, 25), "Connection check for x?y\n");
}

// `hallpass probe --secret` against a server whose check is off: the relay addresses are
// the ones the allocations got, and their port range is unknown; the report says whom to ask.
TEST(CheckReport, RelayAddressesWithoutAPortRangeSayWhomToAsk) {
    json::object bare = offer;
    bare["relay"] = json::object{{"addresses", json::array{"203.0.113.9/32"}}};
    const auto r = check_report(bare, json::parse(R"({"host": "turn.example.org",
      "transports": [{"name": "UDP 3478", "ok": true, "ms": 80}], "media": [], "direct_udp": {"tried": false}})"));
    ASSERT_TRUE(r.ok());
    const std::string text(r->at("it").at("text").as_string());
    EXPECT_NE(text.find("2. UDP to 203.0.113.9/32 (the relay port range: ask the server's operator) - media straight"),
              std::string::npos) << text;
}

}  // namespace
}  // namespace hallpass::relay
