// The school network check on the real binary: the page and its credentials over the TLS
// listener, what probe credentials may reach (hallpass's relay addresses and the client's
// own address, nothing else), the rate limit, and nothing of it while the check is off.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>

#include <boost/json.hpp>

#include "tests/integration/client_transport.hpp"
#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"
#include "turn/probe_credentials.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::testing {
namespace {

using namespace std::chrono_literals;
using Kind = turn::ClientResult::Kind;

struct HttpsAnswer {
    int status = 0;
    std::string head;
    std::string body;
};

HttpsAnswer parse_answer(const std::string& raw) {
    HttpsAnswer a;
    const auto end = raw.find("\r\n\r\n");
    if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return a;
    a.status = std::stoi(raw.substr(9, 3));
    a.head = raw.substr(0, end);
    a.body = raw.substr(end + 4);
    return a;
}

// One request over TLS (ALPN http/1.1, as a browser offers it), connection closed after.
HttpsAnswer https(const TransportAddress& server, const std::string& method, const std::string& target) {
    StreamTransport t(server, {true, {"h2", "http/1.1"}, ""});
    const std::string request = method + " " + target + " HTTP/1.1\r\nHost: turn.test\r\nConnection: close\r\n" +
                                (method == "POST" ? "Content-Type: application/json\r\nContent-Length: 2\r\n" : "") +
                                "\r\n" + (method == "POST" ? "{}" : "");
    t.send(std::span(reinterpret_cast<const std::uint8_t*>(request.data()), request.size()));
    return parse_answer(t.read_raw(3s));
}

ServerSettings check_settings(const std::string& check) {
    ServerSettings s;
    s.tls = true;
    s.tcp = true;
    s.extra_yaml = "auth: {secrets: [\"it-secret\"]}\npeers: {allow: [\"127.0.0.0/8\"]}\ncheck: " + check + "\n";
    return s;
}

class Check : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ::signal(SIGPIPE, SIG_IGN); }
};

TEST_F(Check, ServesThePageAndCredentialsThatReachOnlyHallpassAndTheClient) {
    ServerProcess server(check_settings("{enabled: true}"));
    const auto page = https(server.tls_address(), "GET", "/");
    ASSERT_EQ(page.status, 200) << page.head;
    EXPECT_NE(page.head.find("Content-Security-Policy: default-src 'none'"), std::string::npos) << page.head;
    EXPECT_NE(page.body.find("check.js"), std::string::npos);

    const auto answer = https(server.tls_address(), "POST", "/check/credentials");
    ASSERT_EQ(answer.status, 200) << answer.head;
    const auto o = boost::json::parse(answer.body).as_object();
    const std::string user(o.at("username").as_string());
    EXPECT_EQ(turn::probe_client(user), IpAddress::parse("127.0.0.1"));
    EXPECT_EQ(o.at("transports").as_array().size(), 3u);

    TurnSession s(server.address(), user, std::string(o.at("credential").as_string()));
    const auto a = s.allocate();
    ASSERT_EQ(a.kind, Kind::success) << server.log();
    // Another relay address of hallpass's (the check's loopback media), and the client itself.
    EXPECT_EQ(s.create_permission({a.relayed->ip, static_cast<std::uint16_t>(a.relayed->port + 1)}).kind,
              Kind::success);
    EXPECT_EQ(s.create_permission(*TransportAddress::parse("127.0.0.1:9")).kind, Kind::success);
    // Anyone else is refused, though the operator allows 127.0.0.0/8 to ordinary users.
    const auto refused = s.create_permission(*TransportAddress::parse("127.0.0.2:5000"));
    ASSERT_EQ(refused.kind, Kind::error);
    EXPECT_EQ(refused.code, stun::ErrorCode::forbidden);
    // A probe allocation lives minutes at most, whatever it asks for.
    const auto refreshed = s.refresh(3600);
    ASSERT_EQ(refreshed.kind, Kind::success);
    EXPECT_LE(refreshed.lifetime.value_or(0), 120u);
}

TEST_F(Check, RefusesCredentialsPastThePerAddressLimit) {
    ServerProcess server(check_settings("{enabled: true, credentials_per_minute: 3}"));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(https(server.tls_address(), "POST", "/check/credentials").status, 200) << i;
    const auto refused = https(server.tls_address(), "POST", "/check/credentials");
    EXPECT_EQ(refused.status, 429);
    EXPECT_NE(refused.head.find("Retry-After: 20"), std::string::npos) << refused.head;
    // The page itself is still served, and so is the health check.
    EXPECT_EQ(https(server.tls_address(), "GET", "/").status, 200);
    EXPECT_EQ(https(server.tls_address(), "GET", "/healthz").status, 200);
}

TEST_F(Check, AnswersSeveralRequestsOnOneConnectionThenCloses) {
    ServerProcess server(check_settings("{enabled: true}"));
    StreamTransport t(server.tls_address(), {true, {"http/1.1"}, ""});
    std::string requests;
    for (const char* path : {"/", "/check.js", "/check.css"}) requests += std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    t.send(std::span(reinterpret_cast<const std::uint8_t*>(requests.data()), requests.size()));
    std::string raw;
    for (int i = 0; i < 50 && raw.find("text/css") == std::string::npos; ++i) raw += t.read_raw(100ms);
    std::size_t answers = 0;
    for (std::size_t at = raw.find("HTTP/1.1 200 OK"); at != std::string::npos; at = raw.find("HTTP/1.1 200 OK", at + 1))
        ++answers;
    EXPECT_EQ(answers, 3u) << raw.substr(0, 400);
    // A request too large gets its answer and the connection closes.
    StreamTransport big(server.tls_address(), {true, {"http/1.1"}, ""});
    const std::string huge = "GET / HTTP/1.1\r\nX-Filler: " + std::string(10000, 'a') + "\r\n\r\n";
    big.send(std::span(reinterpret_cast<const std::uint8_t*>(huge.data()), huge.size()));
    EXPECT_EQ(parse_answer(big.read_raw(2s)).status, 431);
}

TEST_F(Check, OffMeansNoPageAndNoProbeCredentials) {
    ServerProcess server(check_settings("{enabled: false}"));
    EXPECT_EQ(https(server.tls_address(), "GET", "/").status, 404);
    EXPECT_EQ(https(server.tls_address(), "POST", "/check/credentials").status, 405);
    // A probe credential signed as a running check would sign it is refused.
    const std::string user = turn::probe_username(std::time(nullptr) + 100, "ab", *IpAddress::parse("127.0.0.1"));
    TurnSession s(server.address(), user, turn::rest_password(turn::probe_key("it-secret"), user));
    const auto a = s.allocate();
    ASSERT_EQ(a.kind, Kind::error);
    EXPECT_EQ(a.code, stun::ErrorCode::unauthenticated);
}

struct Command {
    int status = -1;
    std::string out;
};

Command run(const std::string& command) {
    Command c;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return c;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) c.out.append(buf, n);
    const int status = ::pclose(p);
    c.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return c;
}

std::string probe_command(const ServerProcess& server, const std::string& extra) {
    return std::string(HALLPASS_BINARY) + " probe 127.0.0.1 --tls-port " + std::to_string(server.tls_address().port) +
           " --ca " + server.certificate_path() + " --seconds 1 " + extra;
}

TEST_F(Check, ProbeFromTheCommandLineGivesTheSameVerdictsAndExitStatus) {
    ServerProcess server(check_settings("{enabled: true, credentials_per_minute: 2}"));
    const auto ok = run(probe_command(server, "--json"));
    ASSERT_EQ(ok.status, 0) << ok.out;
    const auto o = boost::json::parse(ok.out).as_object();
    const auto& paths = o.at("report").at("paths").as_array();
    ASSERT_EQ(paths.size(), 6u) << ok.out;  // 3 transports, video over UDP and TLS, direct UDP
    for (const auto& p : paths) EXPECT_EQ(p.at("verdict").as_string(), "works") << ok.out;
    EXPECT_TRUE(o.at("stun").at("ok").as_bool());
    // The table, for people.
    const auto table = run(probe_command(server, ""));
    EXPECT_EQ(table.status, 0) << table.out;
    EXPECT_NE(table.out.find("This network is ready for lessons."), std::string::npos) << table.out;
    // Past the rate limit: no credentials, exit status 2 and the reason.
    const auto limited = run(probe_command(server, ""));
    EXPECT_EQ(limited.status, 2) << limited.out;
    EXPECT_NE(limited.out.find("too many checks from this address"), std::string::npos) << limited.out;
    // Without the CA, the server's certificate is not trusted: said, not ignored.
    const auto untrusted = run(std::string(HALLPASS_BINARY) + " probe 127.0.0.1 --tls-port " +
                               std::to_string(server.tls_address().port));
    EXPECT_EQ(untrusted.status, 2);
    EXPECT_NE(untrusted.out.find("certificate not trusted"), std::string::npos) << untrusted.out;
    // A wrong static password: the server answered, so the paths are refused, not blocked.
    const auto refused = run(std::string(HALLPASS_BINARY) + " probe 127.0.0.1 --udp-port " +
                             std::to_string(server.address().port) + " --tcp-port 0 --tls-port 0 --user nobody "
                             "--password wrong --json");
    EXPECT_EQ(refused.status, 1) << refused.out;
    EXPECT_NE(refused.out.find(R"("verdict":"refused")"), std::string::npos) << refused.out;
}

TEST_F(Check, ProbeSaysWhenTheCheckIsOff) {
    ServerProcess server(check_settings("{enabled: false}"));
    const auto off = run(probe_command(server, ""));
    EXPECT_EQ(off.status, 2);
    EXPECT_NE(off.out.find("is check.enabled on?"), std::string::npos) << off.out;
    EXPECT_EQ(run(std::string(HALLPASS_BINARY) + " probe").status, 2);  // no host
}

}  // namespace
}  // namespace hallpass::testing
