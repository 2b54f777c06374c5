// Config loader: valid files become the expected structs; every invalid input stops with
// a message naming the source, the key path and the reason.
#include "config/config_loader.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

namespace hallpass::config {
namespace {

// A minimal valid document, one line per top-level key; tests replace one part.
class Doc {
public:
    Doc& realm(std::string s) { return set(0, std::move(s)); }
    Doc& listen(std::string s) { return set(1, std::move(s)); }
    Doc& relay(std::string s) { return set(2, std::move(s)); }
    Doc& auth(std::string s) { return set(3, std::move(s)); }
    Doc& extra(std::string s) { return set(4, std::move(s)); }

    std::string text() const {
        std::string out;
        for (const auto& line : lines_) out += line + "\n";
        return out;
    }

private:
    Doc& set(std::size_t i, std::string s) {
        lines_[i] = std::move(s);
        return *this;
    }

    std::array<std::string, 5> lines_ = {"realm: r", "listen: {udp: [\"127.0.0.1:3478\"]}",
                                         "relay: {ranges: [\"127.0.0.1/32\"]}",
                                         "auth: {secrets: [s]}", ""};
};

std::string error_of(const std::string& yaml, const std::vector<Override>& overrides = {}) {
    try {
        parse_config(yaml, "test.yaml", overrides);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

TransportAddress addr(std::string_view text) { return *TransportAddress::parse(text); }
alloc::CidrBlock cidr(std::string_view text) { return *alloc::CidrBlock::parse(text); }
std::vector<alloc::CidrBlock> cidrs(std::initializer_list<std::string_view> texts) {
    std::vector<alloc::CidrBlock> out;
    for (auto t : texts) out.push_back(cidr(t));
    return out;
}
StreamListener plain(std::string_view text) { return StreamListener{addr(text), false, {}}; }
// The tests' PROXY listeners trust the load balancer on loopback.
StreamListener proxied(std::string_view text) { return StreamListener{addr(text), true, cidrs({"127.0.0.1/32"})}; }
std::string cwd_path(std::string_view relative) {
    return (std::filesystem::current_path() / relative).lexically_normal().string();
}
IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }

// ---- valid input --------------------------------------------------------------------

constexpr const char* kFull = R"(
realm: example.org
software: ""
server_name: turn.example.org
listen:
  udp: ["0.0.0.0:3478", "[::]:3478"]
  tcp: ["0.0.0.0:3478", {address: "127.0.0.1:3479", proxy_protocol: true, trusted: ["127.0.0.1/32"]}]
  tls: ["0.0.0.0:443"]
tls:
  certificate: /etc/hallpass/cert.pem
  private_key: /etc/hallpass/key.pem
relay:
  ranges: ["185.62.212.128/25", "10.0.0.0/24", "2001:db8::/64"]
  ports: {min: 20000, max: 20999}
  advertise:
    - {bound: 10.0.0.5, public: 203.0.113.5}
auth:
  users: [{name: alice, password: pw}, {name: "bob:x", password: "p:w"}]
  secrets: [new, old]
  nonce_lifetime: 300
  credential_ttl: 3600
  max_credential_lifetime: 7200
peers:
  allow: ["10.1.2.3/32"]
  deny: ["203.0.113.0/24"]
limits:
  allocations_total: 1000
  allocations_per_user: 8
  permissions_per_allocation: 10
  channels_per_allocation: 5
  allocation_bps: 3000000
  default_lifetime: 300
  max_lifetime: 1200
  permission_lifetime: 120
  channel_lifetime: 300
  connections_total: 500
  connections_per_ip: 50
  connections_ipv6_prefix: 56
  unauthenticated_rate: 100
  unauthenticated_burst: 400
  tls_handshake_timeout: 5
  idle_timeout: 30
  stream_queue_bytes: 65536
workers: 4
io_engine: io_uring
log: {level: debug, format: json}
user: hallpass
group: nogroup
)";

TEST(ConfigLoad, FullFileFillsEveryField) {
    const Config c = parse_config(kFull, "full.yaml");
    EXPECT_EQ(c.source, "full.yaml");
    EXPECT_EQ(c.realm, "example.org");
    EXPECT_EQ(c.software, "");
    EXPECT_EQ(c.server_name, "turn.example.org");
    EXPECT_EQ(c.listen.udp, (std::vector{addr("0.0.0.0:3478"), addr("[::]:3478")}));
    EXPECT_EQ(c.listen.tcp, (std::vector{plain("0.0.0.0:3478"), proxied("127.0.0.1:3479")}));
    EXPECT_EQ(c.listen.tls, std::vector{plain("0.0.0.0:443")});
    EXPECT_EQ(c.tls.certificate, "/etc/hallpass/cert.pem");
    EXPECT_EQ(c.tls.private_key, "/etc/hallpass/key.pem");
    EXPECT_FALSE(c.tls.self_signed);
    EXPECT_EQ(c.relay.ranges, cidrs({"185.62.212.128/25", "10.0.0.0/24", "2001:db8::/64"}));
    EXPECT_EQ(c.relay.ports.min, 20000);
    EXPECT_EQ(c.relay.ports.max, 20999);
    ASSERT_EQ(c.relay.advertise.size(), 1u);
    EXPECT_EQ(c.relay.advertise[0].bound, ip("10.0.0.5"));
    EXPECT_EQ(c.relay.advertise[0].public_ip, ip("203.0.113.5"));
    ASSERT_EQ(c.auth.users.size(), 2u);
    EXPECT_EQ(c.auth.users[1].name, "bob:x");
    EXPECT_EQ(c.auth.users[1].password, "p:w");
    EXPECT_EQ(c.auth.secrets, (std::vector<std::string>{"new", "old"}));
    EXPECT_EQ(c.auth.nonce_lifetime, 300u);
    EXPECT_EQ(c.auth.credential_ttl, 3600u);
    EXPECT_EQ(c.auth.max_credential_lifetime, 7200u);
    EXPECT_EQ(c.peers.allow, cidrs({"10.1.2.3/32"}));
    EXPECT_EQ(c.peers.deny, cidrs({"203.0.113.0/24"}));
    EXPECT_EQ(c.limits.allocations_total, 1000u);
    EXPECT_EQ(c.limits.allocations_per_user, 8u);
    EXPECT_EQ(c.limits.permissions_per_allocation, 10u);
    EXPECT_EQ(c.limits.channels_per_allocation, 5u);
    EXPECT_EQ(c.limits.allocation_bps, 3000000u);
    EXPECT_EQ(c.limits.connections_ipv6_prefix, 56u);
    EXPECT_EQ(c.limits.unauthenticated_rate, 100u);
    EXPECT_EQ(c.limits.unauthenticated_burst, 400u);
    EXPECT_EQ(c.limits.default_lifetime, 300u);
    EXPECT_EQ(c.limits.max_lifetime, 1200u);
    EXPECT_EQ(c.limits.permission_lifetime, 120u);
    EXPECT_EQ(c.limits.channel_lifetime, 300u);
    EXPECT_EQ(c.limits.connections_total, 500u);
    EXPECT_EQ(c.limits.connections_per_ip, 50u);
    EXPECT_EQ(c.limits.tls_handshake_timeout, 5u);
    EXPECT_EQ(c.limits.idle_timeout, 30u);
    EXPECT_EQ(c.limits.stream_queue_bytes, 65536u);
    EXPECT_EQ(c.workers, 4u);
    EXPECT_EQ(c.io_engine, IoEngine::io_uring);
    EXPECT_EQ(c.log.level, LogLevel::debug);
    EXPECT_EQ(c.log.format, LogFormat::json);
    EXPECT_EQ(c.user, "hallpass");
    EXPECT_EQ(c.group, "nogroup");
}

TEST(ConfigLoad, MinimalFileGetsDefaults) {
    const Config c = parse_config(Doc{}.text(), "min.yaml");
    EXPECT_EQ(c.software, "hallpass");
    EXPECT_EQ(c.server_name, "127.0.0.1");  // the first listen address
    EXPECT_TRUE(c.listen.tcp.empty());
    EXPECT_TRUE(c.listen.tls.empty());
    EXPECT_EQ(c.tls.certificate, "");  // no tls listener: no certificate needed
    EXPECT_EQ(c.tls.private_key, "");
    EXPECT_FALSE(c.tls.self_signed);
    EXPECT_EQ(c.relay.ports.min, 16384);
    EXPECT_EQ(c.relay.ports.max, 32767);
    EXPECT_TRUE(c.relay.advertise.empty());
    EXPECT_TRUE(c.auth.users.empty());
    EXPECT_EQ(c.auth.nonce_lifetime, 600u);
    EXPECT_EQ(c.auth.credential_ttl, 86400u);
    EXPECT_TRUE(c.peers.allow.empty());
    EXPECT_EQ(c.auth.max_credential_lifetime, 3u * 86400);
    // Every limit is on by default.
    EXPECT_FALSE(c.limits.allocations_total);  // auto: worked out at start
    EXPECT_EQ(c.limits.allocations_per_user, 32u);
    EXPECT_EQ(c.limits.permissions_per_allocation, 64u);
    EXPECT_EQ(c.limits.channels_per_allocation, 64u);
    EXPECT_EQ(c.limits.allocation_bps, 20000000u);
    EXPECT_EQ(c.limits.connections_ipv6_prefix, 64u);
    EXPECT_EQ(c.limits.unauthenticated_rate, 2000u);
    EXPECT_EQ(c.limits.unauthenticated_burst, 10000u);
    EXPECT_FALSE(c.unsafe_development_config_on_network);
    EXPECT_EQ(c.limits.default_lifetime, 600u);
    EXPECT_EQ(c.limits.max_lifetime, 3600u);
    EXPECT_EQ(c.limits.permission_lifetime, 300u);
    EXPECT_EQ(c.limits.channel_lifetime, 600u);
    EXPECT_EQ(c.limits.connections_total, 10000u);
    EXPECT_EQ(c.limits.connections_per_ip, 1000u);
    EXPECT_EQ(c.limits.tls_handshake_timeout, 10u);
    EXPECT_EQ(c.limits.idle_timeout, 60u);
    EXPECT_EQ(c.limits.stream_queue_bytes, 1048576u);
    EXPECT_EQ(c.workers, 0u);
    EXPECT_EQ(c.io_engine, IoEngine::automatic);
    EXPECT_EQ(c.log.level, LogLevel::info);
    EXPECT_EQ(c.log.format, LogFormat::text);
    EXPECT_EQ(c.user, "");
    EXPECT_EQ(c.group, "");
}

TEST(ConfigLoad, NullValuesMeanDefaults) {
    const Config c = parse_config(Doc().extra("software:\nlimits: ~").text(), "t.yaml");
    EXPECT_EQ(c.software, "hallpass");
    EXPECT_EQ(c.limits.max_lifetime, 3600u);
}

TEST(ConfigLoad, WatchFilesIsOffUnlessSet) {
    EXPECT_FALSE(parse_config(Doc().text(), "t.yaml").watch_files);
    EXPECT_TRUE(parse_config(Doc().extra("watch_files: true").text(), "t.yaml").watch_files);
    EXPECT_THROW(parse_config(Doc().extra("watch_files: sometimes").text(), "t.yaml"), ConfigError);
}

TEST(ConfigLoad, BundledDefaultConfigLoads) {
    const std::string path = std::string(HALLPASS_SOURCE_DIR) + "/config/hallpass.default.yaml";
    const Config c = load_config(path);
    EXPECT_EQ(c.source, path);
    EXPECT_EQ(c.realm, "hallpass.local");
    EXPECT_EQ(c.listen.udp, std::vector{addr("127.0.0.1:3478")});
    EXPECT_EQ(c.listen.tcp, std::vector{plain("127.0.0.1:3478")});
    EXPECT_EQ(c.listen.tls, std::vector{plain("127.0.0.1:5349")});
    // Relative to the file's directory, wherever the process runs.
    EXPECT_EQ(c.tls.certificate,
              std::string(HALLPASS_SOURCE_DIR) + "/config/selfsigned/hallpass.crt");
    EXPECT_EQ(c.tls.private_key,
              std::string(HALLPASS_SOURCE_DIR) + "/config/selfsigned/hallpass.key");
    EXPECT_TRUE(c.tls.self_signed);
    EXPECT_EQ(c.limits.connections_per_ip, 1000u);
    EXPECT_EQ(c.user, "");
    EXPECT_EQ(c.relay.ranges, cidrs({"127.0.0.1/32"}));
    EXPECT_EQ(c.peers.allow, cidrs({"127.0.0.0/8", "::1/128"}));
    EXPECT_EQ(c.auth.secrets, std::vector<std::string>{"hallpass-dev-secret-change-me"});
    ASSERT_EQ(c.auth.users.size(), 1u);
    EXPECT_EQ(c.auth.users[0].name, "demo");
    EXPECT_TRUE(c.check.enabled);
}

TEST(ConfigLoad, BundledProductionExampleLoads) {
    const Config c =
        load_config(std::string(HALLPASS_SOURCE_DIR) + "/config/hallpass.production.example.yaml");
    EXPECT_EQ(c.listen.udp, std::vector{addr("0.0.0.0:3478")});
    EXPECT_EQ(c.listen.tcp, std::vector{plain("0.0.0.0:3478")});
    EXPECT_EQ(c.listen.tls, std::vector{plain("0.0.0.0:443")});
    EXPECT_EQ(c.tls.certificate, "/etc/letsencrypt/live/turn.example.org/fullchain.pem");
    EXPECT_EQ(c.tls.private_key, "/etc/letsencrypt/live/turn.example.org/privkey.pem");
    EXPECT_FALSE(c.tls.self_signed);
    EXPECT_EQ(c.user, "hallpass");
    EXPECT_EQ(c.group, "hallpass");
    EXPECT_EQ(c.relay.ranges, cidrs({"185.62.212.128/25"}));
    EXPECT_EQ(c.server_name, "turn.example.org");
    EXPECT_TRUE(c.check.enabled);
}

TEST(ConfigLoad, BundledDefaultConfigLoadsFromARelativePath) {
    const auto here = std::filesystem::current_path();
    std::filesystem::current_path(HALLPASS_SOURCE_DIR);
    Config c;
    try {
        c = load_config("config/hallpass.default.yaml");
    } catch (...) {
        std::filesystem::current_path(here);
        throw;
    }
    std::filesystem::current_path(here);
    EXPECT_EQ(c.tls.certificate,
              std::string(HALLPASS_SOURCE_DIR) + "/config/selfsigned/hallpass.crt");
}

TEST(ConfigLoad, MissingFileNamesPath) {
    EXPECT_THROW(
        {
            try {
                load_config("/nonexistent/hallpass.yaml");
            } catch (const ConfigError& e) {
                EXPECT_TRUE(starts_with(e.what(), "/nonexistent/hallpass.yaml: cannot open: "))
                    << e.what();
                throw;
            }
        },
        ConfigError);
}

// ---- TCP and TLS listeners, certificates, accounts ----------------------------------

TEST(ConfigStream, ListenerIsAddressOrMapping) {
    const Config c = parse_config(
        Doc().listen("listen: {tcp: [\"127.0.0.1:3478\", {address: \"[::1]:3479\", "
                     "proxy_protocol: true, trusted: [\"127.0.0.1/32\"]}, {address: \"127.0.0.1:3480\"}, "
                     "{address: \"127.0.0.1:3481\", proxy_protocol: false}]}")
            .text(),
        "t.yaml");
    EXPECT_EQ(c.listen.tcp, (std::vector{plain("127.0.0.1:3478"), proxied("[::1]:3479"),
                                         plain("127.0.0.1:3480"), plain("127.0.0.1:3481")}));
    EXPECT_TRUE(c.listen.udp.empty());
    EXPECT_EQ(c.server_name, "127.0.0.1");  // first listener, here a tcp one
}

TEST(ConfigStream, ServerNameFallsBackToTcpThenTls) {
    const std::string tls = "tls: {self_signed: true}";
    EXPECT_EQ(parse_config(Doc().listen("listen: {tls: [\"127.0.0.2:5349\"], tcp: "
                                        "[{address: \"127.0.0.3:3478\"}]}")
                               .extra(tls)
                               .text(),
                           "t.yaml")
                  .server_name,
              "127.0.0.3");
    EXPECT_EQ(parse_config(Doc().listen("listen: {tls: [\"[::1]:5349\"]}").extra(tls).text(),
                           "t.yaml")
                  .server_name,
              "::1");
}

TEST(ConfigStream, BadListenerEntries) {
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [{address: \"127.0.0.1:1\", proxy: true}]}")
                           .text()),
              "test.yaml: listen.tcp[0].proxy: unknown key (expected one of: address, "
              "proxy_protocol, trusted)");
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [{proxy_protocol: true}]}").text()),
              "test.yaml: listen.tcp[0].address: required key is missing");
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [{address: \"127.0.0.1:1\", "
                                    "proxy_protocol: yes}]}")
                           .text()),
              "test.yaml: listen.tcp[0].proxy_protocol: must be true or false (got \"yes\")");
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [[\"127.0.0.1:1\"]]}").text()),
              "test.yaml: listen.tcp[0]: must be ip:port or {address: ip:port, proxy_protocol: "
              "true, trusted: [CIDR]} (got a list)");
    EXPECT_EQ(error_of(Doc().listen("listen: {tls: [\"127.0.0.1:5349\", {address: \"127.0.0.1:443\", "
                                    "proxy_protocol: true, trusted: [\"127.0.0.1/32\"]}]}")
                           .extra("tls: {self_signed: true}")
                           .text()),
              "test.yaml: listen.tls[1].proxy_protocol: supported on tcp listeners only; put it on the "
              "plain TCP listener the TLS-terminating proxy forwards to");
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [{address: \"127.0.0.1:0\"}]}").text()),
              "test.yaml: listen.tcp[0].address: port must be between 1 and 65535 (got 0)");
}

TEST(ConfigStream, DuplicateAddresses) {
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [\"127.0.0.1:3478\", {address: "
                                    "\"127.0.0.1:3478\", proxy_protocol: true, trusted: [\"::1/128\"]}]}")
                           .text()),
              "test.yaml: listen.tcp[1]: duplicate address 127.0.0.1:3478");
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [\"127.0.0.1:443\"], tls: [\"127.0.0.1:"
                                    "5349\", \"127.0.0.1:443\"]}")
                           .extra("tls: {self_signed: true}")
                           .text()),
              "test.yaml: listen.tls[1]: address 127.0.0.1:443 is also in listen.tcp (one TCP port "
              "cannot serve both TCP and TLS)");
    // A wildcard covers every address of its family on that port.
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [\"127.0.0.1:443\"], tls: [\"0.0.0.0:443\"]}")
                           .extra("tls: {self_signed: true}")
                           .text()),
              "test.yaml: listen.tls[0]: address 0.0.0.0:443 overlaps listen.tcp address "
              "127.0.0.1:443 (same port, and a wildcard address covers both)");
}

TEST(ConfigStream, SameAddressOnUdpAndTcpIsFine) {
    const Config c = parse_config(
        Doc().listen("listen: {udp: [\"0.0.0.0:3478\"], tcp: [\"0.0.0.0:3478\"], "
                     "tls: [\"[::]:3478\"]}")
            .extra("tls: {self_signed: true}")
            .text(),
        "t.yaml");
    EXPECT_EQ(c.listen.tcp, std::vector{plain("0.0.0.0:3478")});
    EXPECT_EQ(c.listen.tls, std::vector{plain("[::]:3478")});  // other family
}

constexpr const char* kTlsListen = "listen: {tls: [\"127.0.0.1:5349\"]}";

TEST(ConfigTls, CertificateRequiredForTlsListener) {
    const std::string needed =
        "test.yaml: tls.certificate: required when listen.tls is set (or set tls.self_signed: "
        "true to make a self-signed certificate, for trying hallpass only)";
    EXPECT_EQ(error_of(Doc().listen(kTlsListen).text()), needed);
    EXPECT_EQ(error_of(Doc().listen(kTlsListen).extra("tls: {self_signed: false}").text()), needed);
    EXPECT_EQ(error_of(Doc{}.text(), {{"listen.tls", "127.0.0.1:5349"}}),
              "test.yaml + command line: tls.certificate: required when listen.tls is set (or set "
              "tls.self_signed: true to make a self-signed certificate, for trying hallpass "
              "only)");
}

TEST(ConfigTls, BothPathsOrNeither) {
    EXPECT_EQ(error_of(Doc().listen(kTlsListen).extra("tls: {certificate: /c.pem}").text()),
              "test.yaml: tls.private_key: required when tls.certificate is set");
    EXPECT_EQ(error_of(Doc().extra("tls: {private_key: /k.pem, self_signed: true}").text()),
              "test.yaml: tls.certificate: required when tls.private_key is set");
    EXPECT_EQ(error_of(Doc().listen(kTlsListen)
                           .extra("tls: {certificate: \"\", private_key: /k.pem}")
                           .text()),
              "test.yaml: tls.certificate: must not be empty");
    EXPECT_EQ(error_of(Doc().extra("tls: {self_signed: 1}").text()),
              "test.yaml: tls.self_signed: must be true or false (got \"1\")");
    EXPECT_EQ(error_of(Doc().extra("tls: {cert: x}").text()),
              "test.yaml: tls.cert: unknown key (expected one of: certificate, private_key, "
              "self_signed)");
}

TEST(ConfigTls, SelfSignedNeedsNoPaths) {
    const Config c =
        parse_config(Doc().listen(kTlsListen).extra("tls: {self_signed: true}").text(), "t.yaml");
    EXPECT_TRUE(c.tls.self_signed);
    // parse_config has no file: the default paths lie under the current directory.
    EXPECT_EQ(c.tls.certificate, cwd_path("selfsigned/hallpass.crt"));
    EXPECT_EQ(c.tls.private_key, cwd_path("selfsigned/hallpass.key"));
}

TEST(ConfigTls, PathsAreKeptWithoutCheckingTheFiles) {
    const Config c = parse_config(Doc().listen(kTlsListen)
                                      .extra("tls: {certificate: /nonexistent/c.pem, "
                                             "private_key: /nonexistent/k.pem}")
                                      .text(),
                                  "t.yaml");
    EXPECT_EQ(c.tls.certificate, "/nonexistent/c.pem");
    EXPECT_EQ(c.tls.private_key, "/nonexistent/k.pem");
    EXPECT_FALSE(c.tls.self_signed);
}

TEST(ConfigTls, RelativePathsFollowTheConfigFile) {
    const auto dir =
        (std::filesystem::path(::testing::TempDir()) / "hallpass_config_test").lexically_normal();
    std::filesystem::create_directories(dir / "etc");
    const auto file = dir / "etc" / "hallpass.yaml";
    {
        std::ofstream out(file);
        out << Doc().listen(kTlsListen)
                   .extra("tls: {certificate: certs/c.pem, private_key: ../k.pem}")
                   .text();
    }
    const Config c = load_config(file.string());
    EXPECT_EQ(c.tls.certificate, (dir / "etc" / "certs" / "c.pem").string());
    EXPECT_EQ(c.tls.private_key, (dir / "k.pem").string());
    const auto self_signed_file = dir / "etc" / "self_signed.yaml";
    {
        std::ofstream out(self_signed_file);
        out << Doc().listen(kTlsListen).extra("tls: {self_signed: true}").text();
    }
    const Config self_signed = load_config(self_signed_file.string());
    EXPECT_EQ(self_signed.tls.certificate, (dir / "etc" / "selfsigned" / "hallpass.crt").string());
    EXPECT_EQ(self_signed.tls.private_key, (dir / "etc" / "selfsigned" / "hallpass.key").string());
    // Typed on the command line: relative to where the command runs, as a shell would.
    const Config typed = load_config(file.string(), {{"tls.certificate", "my.crt"}});
    EXPECT_EQ(typed.tls.certificate, cwd_path("my.crt"));
    EXPECT_EQ(typed.tls.private_key, (dir / "k.pem").string());
    std::filesystem::remove_all(dir);
}

TEST(ConfigTls, RelativePathWithoutAFileFollowsTheCurrentDirectory) {
    const Config c =
        parse_config(Doc().listen(kTlsListen).extra("tls: {certificate: c.pem, private_key: k.pem}")
                         .text(),
                     "t.yaml");
    EXPECT_EQ(c.tls.certificate, cwd_path("c.pem"));
    EXPECT_EQ(c.tls.private_key, cwd_path("k.pem"));
}

TEST(ConfigAccount, UserAndGroup) {
    const Config c = parse_config(Doc().extra("user: turn").text(), "t.yaml");
    EXPECT_EQ(c.user, "turn");
    EXPECT_EQ(c.group, "");
    EXPECT_EQ(error_of(Doc().extra("user: \"\"").text()), "test.yaml: user: must not be empty");
    EXPECT_EQ(error_of(Doc().extra("group: [a]").text()),
              "test.yaml: group: must be a single value (got a list)");
    EXPECT_EQ(parse_config(Doc().extra("user:").text(), "t.yaml").user, "");  // null: not set
}

TEST(ConfigLimits, StreamLimitsRanges) {
    EXPECT_EQ(error_of(Doc().extra("limits: {tls_handshake_timeout: 0}").text()),
              "test.yaml: limits.tls_handshake_timeout: must be between 1 and 300 (got 0)");
    EXPECT_EQ(error_of(Doc().extra("limits: {tls_handshake_timeout: 301}").text()),
              "test.yaml: limits.tls_handshake_timeout: must be between 1 and 300 (got 301)");
    EXPECT_EQ(error_of(Doc().extra("limits: {idle_timeout: 86401}").text()),
              "test.yaml: limits.idle_timeout: must be between 1 and 86400 (got 86401)");
    EXPECT_EQ(error_of(Doc().extra("limits: {stream_queue_bytes: 65535}").text()),
              "test.yaml: limits.stream_queue_bytes: must be between 65536 and 67108864 "
              "(got 65535)");
    EXPECT_EQ(error_of(Doc().extra("limits: {stream_queue_bytes: 67108865}").text()),
              "test.yaml: limits.stream_queue_bytes: must be between 65536 and 67108864 "
              "(got 67108865)");
    EXPECT_EQ(error_of(Doc().extra("limits: {connections_per_ip: -1}").text()),
              "test.yaml: limits.connections_per_ip: must be between 0 and 4294967295 (got -1)");
    const Config c = parse_config(
        Doc().extra("limits: {connections_total: 0, connections_per_ip: 0}").text(), "t.yaml");
    EXPECT_EQ(c.limits.connections_total, 0u);  // unlimited
    EXPECT_EQ(c.limits.connections_per_ip, 0u);
}

// ---- invalid input: source, key path and reason --------------------------------------

TEST(ConfigErrors, MissingRealm) {
    EXPECT_EQ(error_of(Doc().realm("").text()), "test.yaml: realm: required key is missing");
    EXPECT_EQ(error_of(Doc().realm("realm: \"\"").text()), "test.yaml: realm: must not be empty");
}

TEST(ConfigErrors, BadListenAddress) {
    EXPECT_EQ(
        error_of(Doc().listen("listen: {udp: [\"127.0.0.1:3478\", \"localhost:3478\"]}").text()),
        "test.yaml: listen.udp[1]: must be ip:port or [ipv6]:port (got \"localhost:3478\")");
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [\"1.2.3.4:0\"]}").text()),
              "test.yaml: listen.tcp[0]: port must be between 1 and 65535 (got 0)");
}

TEST(ConfigErrors, NoListenerAtAll) {
    EXPECT_EQ(error_of(Doc().listen("listen: {udp: []}").text()),
              "test.yaml: listen: needs at least one udp, tcp or tls address");
}

TEST(ConfigErrors, BadCidr) {
    EXPECT_EQ(
        error_of(Doc().relay("relay: {ranges: [\"10.0.0.0/33\"]}").text()),
        "test.yaml: relay.ranges[0]: bad CIDR block: prefix /33 is out of range for IPv4 (0-32) (got "
        "\"10.0.0.0/33\")");
    EXPECT_EQ(error_of(Doc().relay("relay: {ranges: [\"185.62.212.128/24\"]}").text()),
              "test.yaml: relay.ranges[0]: bad CIDR block: host bits are set (the network would "
              "be 185.62.212.0/24) (got \"185.62.212.128/24\")");
    // A bare address is a one-address block.
    EXPECT_EQ(parse_config(Doc().extra("peers: {deny: [\"10.0.0.1\"]}").text(), "t.yaml").peers.deny,
              cidrs({"10.0.0.1/32"}));
    EXPECT_EQ(error_of(Doc().extra("peers: {deny: [\"10.0.0.1/x\"]}").text()),
              "test.yaml: peers.deny[0]: bad CIDR block: prefix 'x' is not a number (got \"10.0.0.1/x\")");
    EXPECT_EQ(
        error_of(Doc().extra("peers: {allow: [\"fe80::/129\"]}").text()),
        "test.yaml: peers.allow[0]: bad CIDR block: prefix /129 is out of range for IPv6 (0-128) (got "
        "\"fe80::/129\")");
}

TEST(ConfigErrors, RelayRangesRequired) {
    EXPECT_EQ(error_of(Doc().relay("").text()), "test.yaml: relay.ranges: required key is missing");
    EXPECT_EQ(error_of(Doc().relay("relay: {ranges: []}").text()),
              "test.yaml: relay.ranges: must list at least one CIDR block");
}

TEST(ConfigErrors, PortOutOfRange) {
    EXPECT_EQ(
        error_of(Doc().relay("relay: {ranges: [\"127.0.0.1/32\"], ports: {min: 70000}}").text()),
        "test.yaml: relay.ports.min: must be between 1 and 65535 (got 70000)");
    EXPECT_EQ(error_of(Doc().relay("relay: {ranges: [\"127.0.0.1/32\"], ports: {max: -1}}").text()),
              "test.yaml: relay.ports.max: must be between 1 and 65535 (got -1)");
    EXPECT_EQ(
        error_of(Doc().relay("relay: {ranges: [\"127.0.0.1/32\"], ports: {max: 12ab}}").text()),
        "test.yaml: relay.ports.max: must be an integer between 1 and 65535 (got \"12ab\")");
}

TEST(ConfigErrors, PortMinAboveMax) {
    EXPECT_EQ(
        error_of(Doc().relay("relay: {ranges: [\"127.0.0.1/32\"], ports: {min: 40000}}").text()),
        "test.yaml: relay.ports.min: must not be greater than relay.ports.max (32767) "
        "(got 40000)");
}

TEST(ConfigErrors, UnknownKeyWithPath) {
    EXPECT_EQ(error_of(Doc().relay("relay: {ranges: [\"127.0.0.1/32\"], port: {min: 1}}").text()),
              "test.yaml: relay.port: unknown key (expected one of: ranges, ports, advertise)");
    EXPECT_EQ(error_of(Doc().extra("limits: {max_lifetme: 5}").text()).substr(0, 46),
              "test.yaml: limits.max_lifetme: unknown key (ex");
    EXPECT_TRUE(
        starts_with(error_of(Doc().extra("realms: x").text()), "test.yaml: realms: unknown key"));
}

TEST(ConfigErrors, DuplicateKey) {
    EXPECT_EQ(error_of(Doc().extra("realm: again").text()), "test.yaml: realm: duplicate key");
}

TEST(ConfigErrors, WrongType) {
    EXPECT_EQ(error_of(Doc().realm("realm: [a, b]").text()),
              "test.yaml: realm: must be a single value (got a list)");
    EXPECT_EQ(error_of(Doc().listen("listen: {udp: \"127.0.0.1:3478\"}").text()),
              "test.yaml: listen.udp: must be a list (got \"127.0.0.1:3478\")");
    EXPECT_EQ(error_of(Doc().relay("relay: 5").text()),
              "test.yaml: relay: must be a mapping (got \"5\")");
    EXPECT_EQ(error_of("[1, 2]"), "test.yaml: must be a mapping (got a list)");
}

TEST(ConfigErrors, NoUsersNorSecrets) {
    EXPECT_EQ(error_of(Doc().auth("auth: {secrets: []}").text()),
              "test.yaml: auth: needs at least one user (auth.users) or one secret (auth.secrets or "
              "auth.secrets_file)");
    EXPECT_EQ(error_of(Doc().auth("").text()),
              "test.yaml: auth: needs at least one user (auth.users) or one secret (auth.secrets or "
              "auth.secrets_file)");
}

TEST(ConfigErrors, BadUsers) {
    EXPECT_EQ(
        error_of(
            Doc().auth("auth: {users: [{name: a, password: x}, {name: a, password: y}]}").text()),
        "test.yaml: auth.users[1].name: user \"a\" is listed twice");
    EXPECT_EQ(error_of(Doc().auth("auth: {users: [{name: \"1700000000:hallpass-check:ab:1.2.3.4\", password: x}]}")
                           .text()),
              "test.yaml: auth.users[0].name: \"1700000000:hallpass-check:ab:1.2.3.4\" has the form of the network "
              "check's own credentials (EXPIRY:hallpass-check:...), which are reserved; choose another name");
    EXPECT_EQ(error_of(Doc().auth("auth: {users: [{name: a}]}").text()),
              "test.yaml: auth.users[0].password: required key is missing");
    EXPECT_EQ(error_of(Doc().auth("auth: {secrets: [\"\"]}").text()),
              "test.yaml: auth.secrets[0]: must not be empty");
}

TEST(ConfigErrors, AdvertiseFamilyMismatch) {
    const Doc d = Doc().relay(
        "relay: {ranges: [\"10.0.0.0/24\"], advertise: [{bound: 10.0.0.5, "
        "public: \"2001:db8::5\"}]}");
    EXPECT_EQ(error_of(d.text()),
              "test.yaml: relay.advertise[0]: bound and public must be the same address family "
              "(got 10.0.0.5 and 2001:db8::5)");
}

TEST(ConfigErrors, AdvertiseBoundOutsideRanges) {
    const Doc d = Doc().relay(
        "relay: {ranges: [\"10.0.0.0/24\"], advertise: [{bound: 10.0.1.5, "
        "public: 203.0.113.5}]}");
    EXPECT_EQ(
        error_of(d.text()),
        "test.yaml: relay.advertise[0].bound: must lie in one of relay.ranges (got 10.0.1.5)");
}

TEST(ConfigErrors, BadEnum) {
    EXPECT_EQ(error_of(Doc().extra("io_engine: uring").text()),
              "test.yaml: io_engine: must be one of auto, epoll, io_uring (got \"uring\")");
    EXPECT_EQ(error_of(Doc().extra("log: {level: verbose}").text()),
              "test.yaml: log.level: must be one of trace, debug, info, warn, error, critical, off "
              "(got \"verbose\")");
}

TEST(ConfigErrors, WorkersOutOfRange) {
    EXPECT_EQ(error_of(Doc().extra("workers: 257").text()),
              "test.yaml: workers: must be between 0 and 256 (got 257)");
}

TEST(ConfigErrors, DefaultLifetimeAboveMax) {
    EXPECT_EQ(error_of(Doc().extra("limits: {default_lifetime: 4000}").text()),
              "test.yaml: limits.default_lifetime: must not be greater than limits.max_lifetime "
              "(3600) (got 4000)");
}

TEST(ConfigErrors, YamlSyntaxErrorHasLineAndColumn) {
    const std::string e = error_of("realm: r\nlisten: {udp: [\"127.0.0.1:3478\"\n");
    EXPECT_TRUE(starts_with(e, "test.yaml:3:1: YAML syntax error: ")) << e;
    const std::string e2 = error_of("realm: r\n  bad: indent\n");
    EXPECT_TRUE(starts_with(e2, "test.yaml:2:")) << e2;
}

// ---- command-line overrides ------------------------------------------------------

TEST(ConfigOverrides, ScalarReplacesFileValue) {
    const Config c =
        parse_config(Doc{}.text(), "t.yaml",
                     {{"realm", "other"}, {"log.level", "debug"}, {"relay.ports.min", "20000"}});
    EXPECT_EQ(c.realm, "other");
    EXPECT_EQ(c.log.level, LogLevel::debug);
    EXPECT_EQ(c.relay.ports.min, 20000);
}

TEST(ConfigOverrides, ListIsCommaSeparated) {
    const Config c = parse_config(Doc{}.text(), "t.yaml",
                                  {{"listen.udp", "127.0.0.1:3478, [::1]:3479"},
                                   {"auth.secrets", "a,b"},
                                   {"peers.allow", ""}});
    EXPECT_EQ(c.listen.udp, (std::vector{addr("127.0.0.1:3478"), addr("[::1]:3479")}));
    EXPECT_EQ(c.auth.secrets, (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(c.peers.allow.empty());
}

TEST(ConfigOverrides, StreamListenersAndTls) {
    const Config c = parse_config(Doc().listen("listen: {tcp: [{address: \"127.0.0.1:3479\", "
                                               "proxy_protocol: true, trusted: [\"127.0.0.1/32\"]}]}")
                                      .text(),
                                  "t.yaml",
                                  {{"listen.tcp", "127.0.0.1:3478, [::1]:3478"},
                                   {"listen.tls", "127.0.0.1:5349"},
                                   {"tls.certificate", "/c.pem"},
                                   {"tls.private_key", "/k.pem"},
                                   {"limits.connections_per_ip", "5000"},
                                   {"limits.idle_timeout", "120"},
                                   {"limits.stream_queue_bytes", "131072"},
                                   {"limits.tls_handshake_timeout", "3"},
                                   {"limits.connections_total", "7"},
                                   {"user", "turn"},
                                   {"group", "turn"}});
    // A list override gives plain entries: the file's proxy_protocol entry is replaced.
    EXPECT_EQ(c.listen.tcp, (std::vector{plain("127.0.0.1:3478"), plain("[::1]:3478")}));
    EXPECT_EQ(c.listen.tls, std::vector{plain("127.0.0.1:5349")});
    EXPECT_EQ(c.tls.certificate, "/c.pem");
    EXPECT_EQ(c.tls.private_key, "/k.pem");
    EXPECT_EQ(c.limits.connections_per_ip, 5000u);
    EXPECT_EQ(c.limits.idle_timeout, 120u);
    EXPECT_EQ(c.limits.stream_queue_bytes, 131072u);
    EXPECT_EQ(c.limits.tls_handshake_timeout, 3u);
    EXPECT_EQ(c.limits.connections_total, 7u);
    EXPECT_EQ(c.user, "turn");
    EXPECT_EQ(c.group, "turn");
    EXPECT_TRUE(parse_config(Doc().listen(kTlsListen).text(), "t.yaml",
                             {{"tls.self_signed", "true"}})
                    .tls.self_signed);
    EXPECT_EQ(error_of(Doc{}.text(), {{"tls.self_signed", "on"}}),
              "command line: tls.self_signed: must be true or false (got \"on\")");
    EXPECT_EQ(error_of(Doc{}.text(), {{"user", ""}}), "command line: user: must not be empty");
    EXPECT_EQ(error_of(Doc{}.text(), {{"listen.tcp", "127.0.0.1:1"}, {"listen.tls", "127.0.0.1:1"},
                                      {"tls.self_signed", "true"}}),
              "command line: listen.tls[0]: address 127.0.0.1:1 is also in listen.tcp (one TCP "
              "port cannot serve both TCP and TLS)");
    EXPECT_EQ(error_of(Doc().listen(kTlsListen).text(), {{"tls.certificate", "/c.pem"}}),
              "test.yaml + command line: tls.private_key: required when tls.certificate is set");
}

TEST(ConfigOverrides, AdvertiseItemsAreBoundEqualsPublic) {
    const Config c = parse_config(Doc().relay("relay: {ranges: [\"10.0.0.0/24\"]}").text(),
                                  "t.yaml", {{"relay.advertise", "10.0.0.5=203.0.113.5"}});
    ASSERT_EQ(c.relay.advertise.size(), 1u);
    EXPECT_EQ(c.relay.advertise[0].public_ip, ip("203.0.113.5"));
    EXPECT_EQ(error_of(Doc{}.text(), {{"relay.advertise", "10.0.0.5"}}),
              "command line: relay.advertise[0]: must be bound=public (got \"10.0.0.5\")");
}

TEST(ConfigOverrides, FillAnEmptyFile) {
    const Config c = parse_config("", "empty.yaml",
                                  {{"realm", "r"},
                                   {"listen.udp", "127.0.0.1:3478"},
                                   {"relay.ranges", "127.0.0.1/32"},
                                   {"auth.secrets", "s"}});
    EXPECT_EQ(c.realm, "r");
    EXPECT_EQ(c.relay.ranges, cidrs({"127.0.0.1/32"}));
}

TEST(ConfigOverrides, UnknownKeyNamesCommandLine) {
    EXPECT_EQ(error_of(Doc{}.text(), {{"relay.port.min", "1"}}),
              "command line: relay.port.min: unknown key");
    EXPECT_EQ(error_of(Doc{}.text(), {{"relay", "x"}}), "command line: relay: unknown key");
    EXPECT_EQ(error_of(Doc{}.text(), {{"auth.users", "a"}}),
              "command line: auth.users: can only be set in the config file");
}

TEST(ConfigOverrides, InvalidValueNamesCommandLine) {
    EXPECT_EQ(error_of(Doc{}.text(), {{"relay.ports.min", "70000"}}),
              "command line: relay.ports.min: must be between 1 and 65535 (got 70000)");
    EXPECT_EQ(error_of(Doc{}.text(), {{"listen.udp", "127.0.0.1:3478,nope"}}),
              "command line: listen.udp[1]: must be ip:port or [ipv6]:port (got \"nope\")");
    EXPECT_EQ(error_of(Doc{}.text(), {{"realm", ""}}), "command line: realm: must not be empty");
}

TEST(ConfigOverrides, CrossCheckNamesBothSourcesWhenMixed) {
    EXPECT_EQ(error_of(Doc{}.text(), {{"relay.ports.min", "40000"}}),
              "test.yaml + command line: relay.ports.min: must not be greater than "
              "relay.ports.max (32767) (got 40000)");
    EXPECT_EQ(error_of(Doc{}.text(), {{"listen.udp", ""}}),
              "test.yaml + command line: listen: needs at least one udp, tcp or tls address");
    EXPECT_EQ(error_of(Doc{}.text(), {{"auth.secrets", ""}, {"auth.users", ""}}),
              "command line: auth.users: can only be set in the config file");
}

TEST(ConfigOverrides, ThroughAFileThatIsNotAMapping) {
    EXPECT_EQ(error_of(Doc().extra("log: 5").text(), {{"log.level", "debug"}}),
              "test.yaml: log: must be a mapping (got \"5\")");
}

TEST(ConfigOverrides, ParseSetFlag) {
    const Override o = parse_set_flag("log.level=debug");
    EXPECT_EQ(o.key, "log.level");
    EXPECT_EQ(o.value, "debug");
    EXPECT_EQ(parse_set_flag("auth.secrets=a=b").value, "a=b");
    EXPECT_EQ(parse_set_flag("software=").value, "");
    EXPECT_THROW(parse_set_flag("log.level"), ConfigError);
    EXPECT_THROW(parse_set_flag("=x"), ConfigError);
}

}  // namespace
}  // namespace hallpass::config

namespace hallpass::config {
namespace {

// ---- safe defaults (issue: safe by default) ---------------------------------------

TEST(ConfigSafety, ProxyProtocolNeedsTrustedSources) {
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [{address: \"127.0.0.1:3479\", proxy_protocol: true}]}").text()),
              "test.yaml: listen.tcp[0].trusted: required with proxy_protocol: the addresses of the load "
              "balancers allowed to send the PROXY header (e.g. [\"127.0.0.1/32\"]); anyone else could "
              "claim any client address");
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [{address: \"127.0.0.1:3479\", trusted: [\"10.0.0.0/8\"]}]}")
                           .text()),
              "test.yaml: listen.tcp[0].trusted: only means something with proxy_protocol: true");
    EXPECT_EQ(error_of(Doc().listen("listen: {tcp: [{address: \"127.0.0.1:3479\", proxy_protocol: true, "
                                    "trusted: [\"10.0.0.1/8\"]}]}")
                           .text()),
              "test.yaml: listen.tcp[0].trusted[0]: bad CIDR block: host bits are set (the network would be "
              "10.0.0.0/8) (got \"10.0.0.1/8\")");
    const Config c = parse_config(Doc().listen("listen: {tcp: [{address: \"127.0.0.1:3479\", proxy_protocol: "
                                               "true, trusted: [\"10.0.0.0/8\", \"::1\"]}]}")
                                      .text(),
                                  "t.yaml");
    EXPECT_EQ(c.listen.tcp[0].trusted, cidrs({"10.0.0.0/8", "::1/128"}));
}

TEST(ConfigSafety, AllocationsTotalIsAutoOrACount) {
    EXPECT_FALSE(parse_config(Doc().extra("limits: {allocations_total: auto}").text(), "t.yaml").limits.allocations_total);
    EXPECT_EQ(parse_config(Doc().extra("limits: {allocations_total: 500}").text(), "t.yaml").limits.allocations_total,
              500u);
    EXPECT_EQ(error_of(Doc().extra("limits: {allocations_total: 0}").text()),
              "test.yaml: limits.allocations_total: must be auto or at least 1 (0 no longer means unlimited: "
              "auto sizes the limit to the relay addresses and the open file limit)");
    EXPECT_EQ(error_of(Doc().extra("limits: {allocations_total: lots}").text()),
              "test.yaml: limits.allocations_total: must be auto or a number of allocations (got \"lots\")");
    // Per user, 0 stays the explicit way to lift the limit.
    EXPECT_EQ(parse_config(Doc().extra("limits: {allocations_per_user: 0}").text(), "t.yaml").limits.allocations_per_user,
              0u);
}

TEST(ConfigSafety, PerAllocationLimitsHaveBounds) {
    EXPECT_EQ(error_of(Doc().extra("limits: {permissions_per_allocation: 0}").text()),
              "test.yaml: limits.permissions_per_allocation: must be between 1 and 65535 (got 0)");
    EXPECT_EQ(error_of(Doc().extra("limits: {channels_per_allocation: 20000}").text()),
              "test.yaml: limits.channels_per_allocation: must be between 1 and 16384 (got 20000)");
    EXPECT_EQ(error_of(Doc().extra("limits: {connections_ipv6_prefix: 16}").text()),
              "test.yaml: limits.connections_ipv6_prefix: must be between 32 and 128 (got 16)");
}

class SecretsFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("hallpass-secrets-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string write(const std::string& name, const std::string& text) {
        const auto path = dir_ / name;
        std::ofstream(path) << text;
        return path.string();
    }
    std::filesystem::path dir_;
};

TEST_F(SecretsFile, SecretsComeFromTheFileAfterTheList) {
    const auto path = write("secrets", "# rotated 2026-11\n  newest \r\n\n# old one\nolder\n");
    const Config c =
        parse_config(Doc().auth("auth: {secrets: [inline], secrets_file: " + path + "}").text(), "t.yaml");
    EXPECT_EQ(c.auth.secrets, (std::vector<std::string>{"inline", "newest", "older"}));
    EXPECT_EQ(c.auth.secrets_file, path);
}

TEST_F(SecretsFile, AFileAloneIsEnough) {
    const auto path = write("secrets", "only\n");
    EXPECT_EQ(parse_config(Doc().auth("auth: {secrets_file: " + path + "}").text(), "t.yaml").auth.secrets,
              std::vector<std::string>{"only"});
}

TEST_F(SecretsFile, RelativePathIsRelativeToTheConfigFile) {
    write("secrets", "from-file\n");
    const auto config = write("hallpass.yaml", Doc().auth("auth: {secrets_file: secrets}").text());
    EXPECT_EQ(load_config(config).auth.secrets, std::vector<std::string>{"from-file"});
}

TEST_F(SecretsFile, EmptyOrMissingFileIsAnError) {
    const auto empty = write("empty", "# nothing yet\n\n");
    EXPECT_EQ(error_of(Doc().auth("auth: {secrets_file: " + empty + "}").text()),
              "test.yaml: auth.secrets_file: " + empty + " holds no secret (one per line; # starts a comment)");
    const auto missing = (dir_ / "missing").string();
    EXPECT_EQ(error_of(Doc().auth("auth: {secrets_file: " + missing + "}").text()),
              "test.yaml: auth.secrets_file: cannot open " + missing + ": No such file or directory");
}

TEST_F(SecretsFile, DevicesAndHugeFilesAreRefused) {
    EXPECT_EQ(error_of(Doc().auth("auth: {secrets_file: /dev/zero}").text()),
              "test.yaml: auth.secrets_file: /dev/zero is not a regular file");
    const auto big = write("big", std::string(70000, 'x'));
    EXPECT_EQ(error_of(Doc().auth("auth: {secrets_file: " + big + "}").text()),
              "test.yaml: auth.secrets_file: " + big + " is larger than 64 KiB: not a list of secrets");
}

TEST(ConfigSafety, CredentialTtlFitsTheLongestLifetime) {
    EXPECT_EQ(error_of(Doc().auth("auth: {secrets: [s], credential_ttl: 86400, max_credential_lifetime: 3600}").text()),
              "test.yaml: auth.credential_ttl: must not be greater than auth.max_credential_lifetime (3600) "
              "(got 86400)");
    EXPECT_EQ(parse_config(Doc().auth("auth: {secrets: [s], max_credential_lifetime: 0}").text(), "t.yaml")
                  .auth.max_credential_lifetime,
              0u);
}

const std::string facing_error_tail =
    " is not a loopback address: the development credentials are public, so this server must not face a "
    "network. Replace them (see config/hallpass.production.example.yaml), or set "
    "unsafe_development_config_on_network: true to do it anyway";

TEST(ConfigSafety, TheBundledConfigRefusesToFaceANetwork) {
    const std::string path = std::string(HALLPASS_SOURCE_DIR) + "/config/hallpass.default.yaml";
    try {
        load_config(path, {{"listen.udp", "0.0.0.0:3478"}});
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), path + " + command line: listen.udp[0]: auth.secrets holds the bundled development "
                                                "secret, and listen.udp[0]" + facing_error_tail);
    }
    EXPECT_THROW(load_config(path, {{"listen.tcp", "192.0.2.1:3478"}}), ConfigError);
    EXPECT_THROW(load_config(path, {{"relay.ranges", "192.0.2.0/24"}}), ConfigError);
    // Loudly overridden, it starts.
    EXPECT_NO_THROW(load_config(path, {{"listen.udp", "0.0.0.0:3478"},
                                       {"unsafe_development_config_on_network", "true"}}));
}

TEST(ConfigSafety, EachDevelopmentCredentialCountsAlone) {
    const std::string network = "listen: {udp: [\"0.0.0.0:3478\"]}";
    EXPECT_EQ(error_of(Doc().listen(network).auth("auth: {users: [{name: demo, password: x}]}").text()),
              "test.yaml: listen.udp[0]: auth.users has the demo user, and listen.udp[0]" + facing_error_tail);
    EXPECT_EQ(error_of(Doc().listen(network).extra("peers: {allow: [\"127.0.0.0/8\"]}").text()),
              "test.yaml: listen.udp[0]: peers.allow lets clients relay to loopback (127.0.0.0/8), and "
              "listen.udp[0]" + facing_error_tail);
    EXPECT_THROW(parse_config(Doc().listen(network).extra("peers: {allow: [\"0.0.0.0/0\"]}").text(), "t"),
                 ConfigError);
    EXPECT_THROW(parse_config(Doc().listen(network).extra("peers: {allow: [\"::1/128\"]}").text(), "t"),
                 ConfigError);
    // Real credentials on a network are what production looks like.
    EXPECT_NO_THROW(parse_config(Doc().listen(network).extra("peers: {allow: [\"10.0.0.20/32\"]}").text(), "t"));
    // Development credentials on loopback are what trying it looks like.
    EXPECT_NO_THROW(parse_config(Doc().auth("auth: {secrets: [hallpass-dev-secret-change-me]}").text(), "t"));
}

// The admin listener: on loopback by default, off on request, and never on a network
// address without a token.
TEST(ConfigAdmin, DefaultsToLoopback9641AndCanBeTurnedOff) {
    const Config d = parse_config(Doc{}.text(), "t.yaml");
    ASSERT_TRUE(d.admin.listen);
    EXPECT_EQ(*d.admin.listen, addr("127.0.0.1:9641"));
    EXPECT_FALSE(parse_config(Doc().extra("admin: {listen: \"off\"}").text(), "t.yaml").admin.listen);
    EXPECT_EQ(parse_config(Doc().extra("admin: {listen: \"127.0.0.1:0\"}").text(), "t.yaml").admin.listen->port, 0);
}

TEST(ConfigAdmin, ANetworkAddressNeedsALongEnoughToken) {
    EXPECT_TRUE(starts_with(error_of(Doc().extra("admin: {listen: \"0.0.0.0:9641\"}").text()),
                            "test.yaml: admin.token: required when admin.listen (0.0.0.0:9641) is not a loopback address"))
        << error_of(Doc().extra("admin: {listen: \"0.0.0.0:9641\"}").text());
    EXPECT_TRUE(starts_with(error_of(Doc().extra("admin: {listen: \"[::]:9641\", token: short}").text()),
                            "test.yaml: admin.token: must be at least 16 characters"));
    const Config c = parse_config(Doc().extra("admin: {listen: \"0.0.0.0:9641\", token: 0123456789abcdef}").text(), "t.yaml");
    EXPECT_EQ(c.admin.token, "0123456789abcdef");
    EXPECT_TRUE(starts_with(error_of(Doc().extra("admin: {listen: \"localhost:9641\"}").text()),
                            "test.yaml: admin.listen: must be ip:port, [ipv6]:port or off"));
}

// ---- the school network check ----------------------------------------------------------

TEST(ConfigCheck, OffUnlessAskedFor) {
    const Config c = parse_config(Doc{}.text(), "t.yaml");
    EXPECT_FALSE(c.check.enabled);
    EXPECT_EQ(c.check.credentials_per_minute, 20u);
    EXPECT_EQ(c.check.credentials_per_minute_total, 600u);
    EXPECT_EQ(c.check.credential_lifetime, 300u);
}

TEST(ConfigCheck, ReadsEveryKey) {
    const Config c = parse_config(Doc()
                                      .extra("check: {enabled: true, credentials_per_minute: 5, "
                                             "credentials_per_minute_total: 50, credential_lifetime: 120}")
                                      .text(),
                                  "t.yaml");
    EXPECT_TRUE(c.check.enabled);
    EXPECT_EQ(c.check.credentials_per_minute, 5u);
    EXPECT_EQ(c.check.credentials_per_minute_total, 50u);
    EXPECT_EQ(c.check.credential_lifetime, 120u);
}

TEST(ConfigCheck, RefusesBadValuesWithTheKey) {
    EXPECT_EQ(error_of(Doc().extra("check: {enable: true}").text()),
              "test.yaml: check.enable: unknown key (expected one of: enabled, credentials_per_minute, "
              "credentials_per_minute_total, credential_lifetime)");
    EXPECT_EQ(error_of(Doc().extra("check: {credential_lifetime: 10}").text()),
              "test.yaml: check.credential_lifetime: must be between 60 and 3600 (got 10)");
    EXPECT_EQ(error_of(Doc().extra("check: {credentials_per_minute: 0}").text()),
              "test.yaml: check.credentials_per_minute: must be between 1 and 600 (got 0)");
    EXPECT_EQ(error_of(Doc().extra("check: {credentials_per_minute: 30, credentials_per_minute_total: 10}").text()),
              "test.yaml: check.credentials_per_minute: must not be greater than "
              "check.credentials_per_minute_total (10)");
}

TEST_F(SecretsFile, TheAdminTokenMayComeFromAFile) {
    const auto token = write("admin-token", "# for ctl and the preStop hook\n0123456789abcdef0123\n");
    const Config c = parse_config(
        Doc().extra("admin: {listen: \"0.0.0.0:9641\", token_file: " + token + ", open_metrics: true}").text(), "t.yaml");
    EXPECT_EQ(c.admin.token, "0123456789abcdef0123");
    EXPECT_EQ(c.admin.token_file, token);
    EXPECT_TRUE(c.admin.open_metrics);
    EXPECT_FALSE(parse_config(Doc().text(), "t.yaml").admin.open_metrics);
    // Too short, missing, or given twice: refused with the key.
    const auto short_token = write("short", "tooshort\n");
    EXPECT_THROW(parse_config(Doc().extra("admin: {token_file: " + short_token + "}").text(), "t.yaml"), ConfigError);
    EXPECT_THROW(parse_config(Doc().extra("admin: {token_file: /nonexistent/hallpass-token}").text(), "t.yaml"),
                 ConfigError);
    EXPECT_THROW(parse_config(Doc().extra("admin: {token: \"0123456789abcdef0123\", token_file: " + token + "}").text(),
                              "t.yaml"),
                 ConfigError);
}

// The Debian package's /etc/hallpass/hallpass.yaml: loopback only until edited, its secret in
// the file the postinst makes (never in this world-readable file), state under /var/lib.
TEST_F(SecretsFile, ThePackagedConfigStartsOnLoopbackWithTheInstallsSecret) {
    const auto secrets = write("secrets", "# made at install\nc2VjcmV0LW1hZGUtYXQtaW5zdGFsbC10aW1lLTAxMjM0\n");
    const std::string path = std::string(HALLPASS_SOURCE_DIR) + "/config/hallpass.package.yaml";
    const Config c = load_config(path, {{"auth.secrets_file", secrets}});
    EXPECT_EQ(c.listen.udp, std::vector{addr("127.0.0.1:3478")});
    EXPECT_EQ(c.listen.tcp, std::vector{plain("127.0.0.1:3478")});
    EXPECT_EQ(c.listen.tls, std::vector{plain("127.0.0.1:5349")});
    EXPECT_EQ(c.relay.ranges, cidrs({"127.0.0.1/32"}));
    EXPECT_EQ(c.auth.secrets, std::vector<std::string>{"c2VjcmV0LW1hZGUtYXQtaW5zdGFsbC10aW1lLTAxMjM0"});
    EXPECT_TRUE(c.auth.users.empty());
    EXPECT_TRUE(c.peers.allow.empty());
    EXPECT_EQ(c.tls.certificate, "/var/lib/hallpass/selfsigned/hallpass.crt");
    EXPECT_EQ(c.tls.private_key, "/var/lib/hallpass/selfsigned/hallpass.key");
    EXPECT_TRUE(c.check.enabled);
    EXPECT_EQ(c.user, "");  // the unit runs it as hallpass
}

}  // namespace
}  // namespace hallpass::config
