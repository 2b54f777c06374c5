// HTTP on the TURN ports: Beast's reader over the bytes a connection receives, and what each
// route answers — the health check everywhere, the check page and its credentials on TLS
// listeners while check.enabled, rate-limited per client address.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "config/config_loader.hpp"
#include "relay/http_request_reader.hpp"
#include "relay/check/turn_port_http.hpp"
#include "turn/check_rate_limiter.hpp"
#include "turn/probe_credentials.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::relay {
namespace {

namespace http = boost::beast::http;
using Status = HttpRequestReader::Status;

std::span<const std::uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// ---- HttpRequestReader --------------------------------------------------------------

TEST(HttpRequestReader, ReadsARequestAndSaysHowManyBytesItTook) {
    HttpRequestReader reader;
    const std::string one = "GET /healthz HTTP/1.1\r\nHost: turn.example.org\r\n\r\n";
    const std::string two = "POST /check/credentials HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
    const std::string both = one + two;
    auto r = reader.feed(bytes(both));
    ASSERT_EQ(r.status, Status::done);
    EXPECT_EQ(r.used, one.size());
    EXPECT_EQ(reader.request().target(), "/healthz");
    EXPECT_EQ(reader.request().method(), http::verb::get);
    reader.reset();
    r = reader.feed(bytes(std::string_view(both).substr(r.used)));
    ASSERT_EQ(r.status, Status::done);
    EXPECT_EQ(reader.request().body(), "{}");
}

TEST(HttpRequestReader, NeedsMoreUntilTheRequestIsWhole) {
    const std::string text = "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
    for (std::size_t n = 0; n < text.size(); ++n) {
        HttpRequestReader reader;
        EXPECT_EQ(reader.feed(bytes(std::string_view(text).substr(0, n))).status, Status::need_more) << n;
    }
    // Fed in pieces, keeping what was not taken.
    HttpRequestReader reader;
    std::string pending;
    Status last = Status::need_more;
    for (char c : text) {
        pending += c;
        const auto r = reader.feed(bytes(pending));
        pending.erase(0, r.used);
        last = r.status;
    }
    EXPECT_EQ(last, Status::done);
    EXPECT_EQ(reader.request().body(), "hello");
}

TEST(HttpRequestReader, RefusesWhatIsNotHttp1) {
    for (std::string_view junk : {"GET / HTTP/2.0\r\n\r\n", "GET\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n",
                                  "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                                  "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"}) {
        HttpRequestReader reader;
        EXPECT_EQ(reader.feed(bytes(junk)).status, Status::invalid) << junk;
    }
}

TEST(HttpRequestReader, RefusesAHeadOrBodyOverTheLimits) {
    std::string head = "GET / HTTP/1.1\r\nX-Filler: " + std::string(9000, 'a') + "\r\n\r\n";
    HttpRequestReader reader;
    EXPECT_EQ(reader.feed(bytes(head)).status, Status::too_large);
    EXPECT_TRUE(reader.header_too_large());
    // A head that never ends is refused once past the limit, not read forever.
    HttpRequestReader endless;
    EXPECT_EQ(endless.feed(bytes(std::string(8193, 'G'))).status, Status::too_large);
    HttpRequestReader body;
    const auto r = body.feed(bytes("POST /check/credentials HTTP/1.1\r\nContent-Length: 100000\r\n\r\n"));
    EXPECT_EQ(r.status, Status::too_large);
    EXPECT_FALSE(body.header_too_large());
}

// ---- routes ------------------------------------------------------------------------

constexpr const char* yaml = R"(
realm: example.org
listen:
  udp: ["0.0.0.0:3478", "[::]:3478"]
  tcp: ["0.0.0.0:3478"]
  tls: ["0.0.0.0:443"]
tls: {certificate: /x/cert.pem, private_key: /x/key.pem}
relay:
  ranges: ["203.0.113.0/25", "10.0.0.0/24"]
  ports: {min: 40000, max: 49999}
  advertise: [{bound: 10.0.0.5, public: 198.51.100.5}]
auth: {secrets: ["s3cret"]}
check: {enabled: CHECK, credentials_per_minute: 2, credentials_per_minute_total: 100}
)";

class FakeBackend : public TurnPortBackend {
public:
    explicit FakeBackend(bool check) {
        std::string text = yaml;
        text.replace(text.find("CHECK"), 5, check ? "true" : "false");
        snapshot_ = std::make_shared<RuntimeSnapshot>(config::parse_config(text, "t.yaml"), ProcessKeys::random(), 1);
        state_ = std::make_unique<turn::CheckRateLimiter>(turn::CheckRateLimits{2, 100, 64, 64});
    }
    const RuntimeSnapshot& snapshot() override { return *snapshot_; }
    bool take_check_credentials(const IpAddress& client) override { return state_->allow(client, alloc::Millis{0}); }
    std::uint32_t check_retry_after_seconds() override { return state_->retry_after_seconds(); }
    std::int64_t now_unix() override { return 1'800'000'000; }
    std::string fresh_nonce() override { return "00112233445566778899aabbccddeeff"; }

private:
    std::shared_ptr<RuntimeSnapshot> snapshot_;
    std::unique_ptr<turn::CheckRateLimiter> state_;
};

const TurnPortConnection school_tls{{*IpAddress::parse("192.0.2.44"), *TransportAddress::parse("198.51.100.1:443")}, true};
const TurnPortConnection school_tcp{{*IpAddress::parse("192.0.2.44"), *TransportAddress::parse("198.51.100.1:3478")}, false};

HttpRequest request(http::verb verb, std::string target) {
    HttpRequest r(verb, target, 11);
    r.set(http::field::host, "turn.example.org");
    if (verb == http::verb::post) r.set(http::field::content_type, "application/json");
    return r;
}

TEST(TurnPortHttp, AnswersTheHealthCheckOnEveryStreamListener) {
    for (bool check : {false, true}) {
        FakeBackend backend(check);
        for (const auto& c : {school_tls, school_tcp}) {
            const auto r = answer_turn_port_request(request(http::verb::get, "/healthz?lb=1"), c, backend);
            EXPECT_EQ(r.result(), http::status::ok);
            EXPECT_EQ(r.body(), "ok\n");
        }
    }
}

TEST(TurnPortHttp, ServesTheCheckPageOnTlsOnlyAndOnlyWhenEnabled) {
    FakeBackend on(true);
    const auto page = answer_turn_port_request(request(http::verb::get, "/"), school_tls, on);
    EXPECT_EQ(page.result(), http::status::ok);
    EXPECT_EQ(page[http::field::content_type], "text/html; charset=utf-8");
    // Nothing but hallpass itself: the policy forbids other hosts and inline code.
    EXPECT_NE(std::string(page["Content-Security-Policy"]).find("default-src 'none'; script-src 'self'"),
              std::string::npos);
    EXPECT_NE(page.body().find("<html"), std::string::npos);
    EXPECT_EQ(answer_turn_port_request(request(http::verb::get, "/check.js"), school_tls, on)[http::field::content_type],
              "text/javascript; charset=utf-8");
    EXPECT_EQ(answer_turn_port_request(request(http::verb::get, "/check.css"), school_tls, on).result(), http::status::ok);
    EXPECT_EQ(answer_turn_port_request(request(http::verb::get, "/"), school_tcp, on).result(), http::status::not_found);
    FakeBackend off(false);
    EXPECT_EQ(answer_turn_port_request(request(http::verb::get, "/"), school_tls, off).result(), http::status::not_found);
    EXPECT_EQ(answer_turn_port_request(request(http::verb::post, "/check/credentials"), school_tls, off).result(),
              http::status::method_not_allowed);
    EXPECT_EQ(answer_turn_port_request(request(http::verb::get, "/nothing"), school_tls, on).result(),
              http::status::not_found);
}

TEST(TurnPortHttp, RefusesOtherMethods) {
    FakeBackend on(true);
    auto r = answer_turn_port_request(request(http::verb::delete_, "/"), school_tls, on);
    EXPECT_EQ(r.result(), http::status::method_not_allowed);
    EXPECT_EQ(r[http::field::allow], "GET, HEAD");
    r = answer_turn_port_request(request(http::verb::get, "/check/credentials"), school_tls, on);
    EXPECT_EQ(r.result(), http::status::method_not_allowed);
    EXPECT_EQ(r[http::field::allow], "POST");
}

TEST(TurnPortHttp, MintsProbeCredentialsForTheAskingClientWithWhatToTry) {
    FakeBackend on(true);
    const auto r = answer_turn_port_request(request(http::verb::post, "/check/credentials"), school_tls, on);
    ASSERT_EQ(r.result(), http::status::ok);
    EXPECT_EQ(r[http::field::cache_control], "no-store");
    const auto o = boost::json::parse(r.body()).as_object();
    const std::string user(o.at("username").as_string());
    EXPECT_EQ(user, "1800000300:hallpass-check:00112233445566778899aabbccddeeff:192.0.2.44");
    EXPECT_EQ(turn::probe_client(user), IpAddress::parse("192.0.2.44"));
    // Signed with the probe key, never with the shared secret itself.
    EXPECT_EQ(o.at("credential").as_string(), turn::rest_password(turn::probe_key("s3cret"), user));
    EXPECT_EQ(o.at("client").as_string(), "192.0.2.44");
    EXPECT_EQ(o.at("ttl").as_int64(), 300);
    // One entry per protocol and port; wildcard listeners become the address the client reached.
    EXPECT_EQ(boost::json::serialize(o.at("transports")),
              R"([{"name":"UDP 3478","protocol":"udp","port":3478,"address":"198.51.100.1"},)"
              R"({"name":"TCP 3478","protocol":"tcp","port":3478,"address":"198.51.100.1"},)"
              R"({"name":"TLS 443","protocol":"tls","port":443,"address":"198.51.100.1"}])");
    // What a firewall must let out to: the public address of the NATed range, the other as is.
    EXPECT_EQ(boost::json::serialize(o.at("relay")),
              R"({"addresses":["203.0.113.0/25","198.51.100.5/32"],"ports":{"min":40000,"max":49999}})");
}

TEST(TurnPortHttp, TellsAnIpv4ClientOnADualStackSocketItsIpv4Addresses) {
    FakeBackend on(true);
    const TurnPortConnection mapped{{*IpAddress::parse("::ffff:192.0.2.44"), *TransportAddress::parse("[::ffff:198.51.100.1]:443")},
                                    true};
    const auto o = boost::json::parse(
        answer_turn_port_request(request(http::verb::post, "/check/credentials"), mapped, on).body());
    EXPECT_EQ(o.at("client").as_string(), "192.0.2.44");
    EXPECT_EQ(o.at("transports").at(0).at("address").as_string(), "198.51.100.1");
    // An IPv6 client: the IPv4-only UDP listener is still offered (the page uses the name),
    // and the one on [::] gives its address.
    const TurnPortConnection v6{{*IpAddress::parse("2001:db8::44"), *TransportAddress::parse("[2001:db8::1]:443")}, true};
    const auto six = boost::json::parse(
        answer_turn_port_request(request(http::verb::post, "/check/credentials"), v6, on).body());
    EXPECT_EQ(six.at("transports").at(0).at("address").as_string(), "2001:db8::1");
    EXPECT_EQ(six.at("transports").at(1).at("name").as_string(), "TCP 3478");
    EXPECT_EQ(six.at("transports").at(1).at("address").as_string(), "");
}

TEST(TurnPortHttp, MintsOnlyForAJsonRequestThatAnotherSiteCannotSendWithoutAPreflight) {
    FakeBackend on(true);
    auto form = request(http::verb::post, "/check/credentials");
    for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
        form.set(http::field::content_type, type);
        EXPECT_EQ(answer_turn_port_request(form, school_tls, on).result(), http::status::unsupported_media_type) << type;
    }
    form.set(http::field::content_type, "application/json; charset=utf-8");
    EXPECT_EQ(answer_turn_port_request(form, school_tls, on).result(), http::status::ok);
}

TEST(TurnPortHttp, RefusesCredentialsPastTheRateLimitWithRetryAfter) {
    FakeBackend on(true);
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(answer_turn_port_request(request(http::verb::post, "/check/credentials"), school_tls, on).result(),
                  http::status::ok);
    const auto r = answer_turn_port_request(request(http::verb::post, "/check/credentials"), school_tls, on);
    EXPECT_EQ(r.result(), http::status::too_many_requests);
    EXPECT_EQ(r[http::field::retry_after], "30");
}

TEST(TurnPortHttp, TurnsMeasurementsIntoVerdictsAndRefusesJunk) {
    FakeBackend on(true);
    auto post = request(http::verb::post, "/check/report");
    post.body() = R"({"transports": [{"name": "TLS 443", "ok": true, "ms": 90}]})";
    auto r = answer_turn_port_request(post, school_tls, on);
    ASSERT_EQ(r.result(), http::status::ok) << r.body();
    EXPECT_EQ(boost::json::parse(r.body()).at("paths").at(0).at("verdict").as_string(), "works");
    for (const char* junk : {"{", "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", R"({"transports": [{"name": "UDP 1"}]})"}) {
        post.body() = junk;
        r = answer_turn_port_request(post, school_tls, on);
        EXPECT_EQ(r.result(), http::status::bad_request) << junk;
    }
    // Only on TLS, only while the check is on.
    EXPECT_EQ(answer_turn_port_request(post, school_tcp, on).result(), http::status::method_not_allowed);
}

TEST(TurnPortHttp, ResponseBytesFollowTheRequest) {
    FakeBackend on(true);
    auto head = request(http::verb::head, "/healthz");
    const std::string bytes_out =
        turn_port_response_bytes(answer_turn_port_request(head, school_tcp, on), head, true);
    EXPECT_EQ(bytes_out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << bytes_out;
    EXPECT_NE(bytes_out.find("Content-Length: 3\r\n"), std::string::npos) << bytes_out;
    EXPECT_TRUE(bytes_out.ends_with("\r\n\r\n")) << bytes_out;  // HEAD: no body
    auto old = request(http::verb::get, "/healthz");
    old.version(10);
    const std::string closing = turn_port_response_bytes(answer_turn_port_request(old, school_tcp, on), old, true);
    EXPECT_EQ(closing.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << closing;
    EXPECT_TRUE(closing.ends_with("\r\n\r\nok\n")) << closing;
    const std::string refused = turn_port_response_bytes(turn_port_too_large(true), HttpRequest{}, true);
    EXPECT_EQ(refused.rfind("HTTP/1.1 431", 0), 0u) << refused;
    EXPECT_NE(refused.find("Connection: close"), std::string::npos) << refused;
}

}  // namespace
}  // namespace hallpass::relay
