// HTTP health checks on a TURN port: the first bytes tell HTTP from STUN and ChannelData,
// and an HTTP request gets a short plain-text answer.
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

// ---- parse_http_request_head ---------------------------------------------------------

HttpParse parse(std::string_view text) { return parse_http_request_head(std::span(
    reinterpret_cast<const std::uint8_t*>(text.data()), text.size())); }

TEST(HttpProbeParse, ParsesARequestHead) {
    const std::string text =
        "GET /healthz HTTP/1.1\r\nHost: turn.example.org\r\nUser-Agent: kube-probe/1.29\r\n\r\n";
    const std::string received = text + "trailing body bytes";
    const auto p = parse(received);  // the views point into `received`
    ASSERT_EQ(p.status, HttpParse::Status::done) << p.error.to_string();
    EXPECT_EQ(p.head.method, "GET");
    EXPECT_EQ(p.head.path, "/healthz");
    EXPECT_EQ(p.head.length, text.size());
}

TEST(HttpProbeParse, ParsesARequestWithNoHeaders) {
    const auto p = parse("HEAD /x?y=1 HTTP/1.0\r\n\r\n");
    ASSERT_EQ(p.status, HttpParse::Status::done);
    EXPECT_EQ(p.head.method, "HEAD");
    EXPECT_EQ(p.head.path, "/x?y=1");
    EXPECT_EQ(p.head.length, 24u);
}

TEST(HttpProbeParse, NeedsMoreUntilTheBlankLine) {
    const std::string text = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
    for (std::size_t n = 0; n < text.size(); ++n)
        EXPECT_EQ(parse(std::string_view(text).substr(0, n)).status, HttpParse::Status::need_more)
            << n;
    EXPECT_EQ(parse(text).status, HttpParse::Status::done);
}

void expect_invalid(std::string_view text, std::string_view reason) {
    const auto p = parse(text);
    ASSERT_EQ(p.status, HttpParse::Status::invalid) << text;
    EXPECT_EQ(p.error.place, "HTTP");
    EXPECT_EQ(p.error.reason, reason) << text;
}

TEST(HttpProbeParse, RejectsAMalformedRequestLineAsSoonAsItIsWhole) {
    // No blank line yet: the request line alone is enough to refuse.
    expect_invalid("GET\r\n", "request line has no spaces");
    expect_invalid("GET /\r\n", "request line has no version");
    expect_invalid("GET / HTTP/2.0\r\n", "version is not HTTP/1.x");
    expect_invalid("GET / HTTP/1.1 \r\n", "version is not HTTP/1.x");
    expect_invalid("GET  / HTTP/1.1\r\n", "request target is empty or not visible ASCII");
    expect_invalid("GET /\x01 HTTP/1.1\r\n", "request target is empty or not visible ASCII");
    expect_invalid(" GET / HTTP/1.1\r\n", "method is not a token");
    expect_invalid("G(T / HTTP/1.1\r\n\r\n", "method is not a token");
    expect_invalid("GET / http/1.1\r\n\r\n", "version is not HTTP/1.x");
}

TEST(HttpProbeParse, RejectsAHeadLongerThan8KiB) {
    std::string text = "GET / HTTP/1.1\r\nX-Filler: ";
    text.append(http_max_head_size - text.size() - 4, 'a');
    // Exactly 8 KiB with the blank line: accepted.
    const auto fits = parse(text + "\r\n\r\n");
    ASSERT_EQ(fits.status, HttpParse::Status::done);
    EXPECT_EQ(fits.head.length, http_max_head_size);
    // One byte more: refused once 8 KiB are there without the blank line.
    text += 'a';
    EXPECT_EQ(parse(text + "\r\n\r").status, HttpParse::Status::invalid);
    expect_invalid(text + "\r\n\r\n", "head is longer than 8 KiB");
    // A request line that never ends.
    expect_invalid(std::string(http_max_head_size, 'G'), "head is longer than 8 KiB");
    EXPECT_EQ(parse(std::string(http_max_head_size - 1, 'G')).status,
              HttpParse::Status::need_more);
}

// ---- http_response -------------------------------------------------------------------

std::string respond(std::string_view request) {
    const auto p = parse(request);
    EXPECT_EQ(p.status, HttpParse::Status::done) << request;
    return http_response(p.head);
}

TEST(HttpProbeResponse, AnswersGetHealthzWithOk) {
    EXPECT_EQ(respond("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"),
              "HTTP/1.1 200 OK\r\n"
              "Content-Type: text/plain\r\n"
              "Content-Length: 2\r\n"
              "Connection: close\r\n"
              "\r\n"
              "ok");
    EXPECT_EQ(respond("GET /healthz?probe=lb HTTP/1.0\r\n\r\n").substr(0, 15), "HTTP/1.1 200 OK");
}

TEST(HttpProbeResponse, AnswersHeadHealthzWithoutABody) {
    EXPECT_EQ(respond("HEAD /healthz HTTP/1.1\r\n\r\n"),
              "HTTP/1.1 200 OK\r\n"
              "Content-Type: text/plain\r\n"
              "Content-Length: 2\r\n"
              "Connection: close\r\n"
              "\r\n");
}

TEST(HttpProbeResponse, AnswersOtherPathsWithNotFound) {
    EXPECT_EQ(respond("GET / HTTP/1.1\r\n\r\n"),
              "HTTP/1.1 404 Not Found\r\n"
              "Content-Type: text/plain\r\n"
              "Content-Length: 9\r\n"
              "Connection: close\r\n"
              "\r\n"
              "not found");
    EXPECT_EQ(respond("HEAD /healthz/ HTTP/1.1\r\n\r\n"),
              "HTTP/1.1 404 Not Found\r\n"
              "Content-Type: text/plain\r\n"
              "Content-Length: 9\r\n"
              "Connection: close\r\n"
              "\r\n");
}

TEST(HttpProbeResponse, AnswersOtherMethodsWithMethodNotAllowed) {
    for (std::string_view request : {"POST /healthz HTTP/1.1\r\n\r\n", "DELETE / HTTP/1.1\r\n\r\n",
                                     "OPTIONS * HTTP/1.1\r\n\r\n", "get /healthz HTTP/1.1\r\n\r\n"}) {
        EXPECT_EQ(respond(request),
                  "HTTP/1.1 405 Method Not Allowed\r\n"
                  "Content-Type: text/plain\r\n"
                  "Content-Length: 18\r\n"
                  "Allow: GET, HEAD\r\n"
                  "Connection: close\r\n"
                  "\r\n"
                  "method not allowed")
            << request;
    }
}

}  // namespace
}  // namespace hallpass::relay
