// hallpass-fuzz-seeds OUT_DIR: writes a seed corpus for each fuzz target, one file per
// seed, under OUT_DIR/<target>/ — so that fuzzing starts from real messages instead of
// from nothing: the RFC 5769 vectors and the other samples under tests/samples/, requests
// of every method as our TurnClient builds them, PROXY v1 and v2 headers, HTTP health
// checks, and the bundled config files.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/stun/sample_file.hpp"
#include "turn/turn_client.hpp"

namespace fs = std::filesystem;
using namespace hallpass;
using Bytes = std::vector<std::uint8_t>;

namespace {

void write(const fs::path& dir, const std::string& name, const Bytes& bytes) {
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                      static_cast<std::streamsize>(bytes.size()));
}
Bytes of(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }
Bytes of(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<std::pair<std::string, Bytes>> stun_messages() {
    std::vector<std::pair<std::string, Bytes>> out;
    for (const auto& entry : fs::directory_iterator(std::string(HALLPASS_SAMPLES_DIR) + "/rfc5769"))
        out.emplace_back("rfc5769_" + entry.path().stem().string(),
                         testing::load_sample("rfc5769/" + entry.path().filename().string()));
    std::array<std::uint8_t, 2048> buf{};
    turn::TurnClient c("alice", "alice-pw", 7);
    const auto peer = *TransportAddress::parse("198.52.100.7:4000");
    turn::AllocateOptions full;
    full.lifetime = 600;
    full.even_port = true;
    full.reserve_next = true;
    full.dont_fragment = true;
    out.emplace_back("binding", of(c.binding_request(buf)));
    out.emplace_back("allocate", of(c.allocate_request(buf)));
    out.emplace_back("allocate_full", of(c.allocate_request(buf, full)));
    out.emplace_back("refresh", of(c.refresh_request(buf, 0)));
    out.emplace_back("create_permission", of(c.create_permission_request(buf, peer)));
    out.emplace_back("channel_bind", of(c.channel_bind_request(buf, 0x4000, peer)));
    out.emplace_back("send", of(c.send_indication(buf, peer, of(std::string_view("media")))));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: hallpass-fuzz-seeds OUT_DIR\n";
        return 2;
    }
    const fs::path out = argv[1];
    const auto messages = stun_messages();
    for (const auto& [name, bytes] : messages) write(out / "stun_message", name, bytes);

    // A stream: several messages and ChannelData back to back (the first byte of a
    // stream_framer input picks how it is cut).
    Bytes stream{3, 1, 7, 64};
    for (const auto& [name, bytes] : messages) stream.insert(stream.end(), bytes.begin(), bytes.end());
    std::array<std::uint8_t, 64> cd{};
    const auto channel = turn::TurnClient::channel_data(cd, 0x4000, of(std::string_view("odd")), true);
    stream.insert(stream.end(), channel.begin(), channel.end());
    write(out / "stream_framer", "mixed", stream);

    write(out / "proxy_protocol", "v1_tcp4", of(std::string_view("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n")));
    write(out / "proxy_protocol", "v1_tcp6", of(std::string_view("PROXY TCP6 2001:db8::1 2001:db8::2 56324 443\r\n")));
    write(out / "proxy_protocol", "v1_unknown", of(std::string_view("PROXY UNKNOWN\r\n")));
    write(out / "proxy_protocol", "v2_tcp4", testing::load_sample("proxy/v2_tcp4.txt"));
    write(out / "proxy_protocol", "v2_local", testing::load_sample("proxy/v2_local.txt"));

    write(out / "proc_net_udp", "udp4", of(std::string_view(
        "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "  282: 0100007F:0D96 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 14930 2 0 0\n")));
    write(out / "proc_net_udp", "udp6", of(std::string_view(
        "  128: B80D0120000000000000000001000000:4E21 00000000000000000000000000000000:0000 07 00000000:00000000 "
        "00:00000000 00000000     0        0 33333 2 0000000000000000 0\n")));
    write(out / "proc_stat", "stat", of(std::string_view(
        "4242 (hallpass (w) 1) S 1 4242 4242 0 -1 4194560 612 0 0 0 1234 567 0 0 20 0 3 0 99 1 2 3\n")));
    write(out / "proc_stat", "status", of(std::string_view("Name:\thallpass\nVmPeak:\t  9000 kB\nVmRSS:\t    8192 kB\nThreads:\t3\n")));
    write(out / "http_request", "healthz", of(std::string_view("GET /healthz HTTP/1.1\r\nHost: turn.example.org\r\n\r\n")));
    write(out / "http_request", "head", of(std::string_view("HEAD /?x=1 HTTP/1.0\r\n\r\n")));
    write(out / "http_request", "post", of(std::string_view("POST /api HTTP/1.1\r\nContent-Length: 0\r\n\r\n")));
    write(out / "probe_answer", "offer",
          of(std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 266\r\n\r\n"
                              "{\"username\":\"1:hallpass-check:ab:192.0.2.1\",\"credential\":\"x\",\"ttl\":300,"
                              "\"client\":\"192.0.2.1\",\"transports\":[{\"name\":\"UDP 3478\",\"protocol\":\"udp\","
                              "\"port\":3478,\"address\":\"198.51.100.1\"}],\"stun\":[],\"relay\":{\"addresses\":"
                              "[\"203.0.113.0/24\"],\"ports\":{\"min\":40000,\"max\":49999}}}")));
    write(out / "probe_answer", "limited", of(std::string_view("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 0\r\n\r\n")));
    write(out / "probe_answer", "proxy", of(std::string_view("http://[2001:db8::1]:3128/")));
    write(out / "http_request", "credentials",
          of(std::string_view("POST /check/credentials HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\nGET / HTTP/1.1\r\n\r\n")));
    write(out / "http_request", "report",
          of(std::string_view("POST /check/report HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
                              "{\"host\":\"x\",\"transports\":[{\"name\":\"UDP 3478\",\"ok\":true,\"ms\":5}],"
                              "\"media\":[{\"transport\":\"UDP 3478\",\"connected\":true,\"sent\":9,\"received\":8,"
                              "\"rtt_ms\":3,\"kbps\":1400}],\"direct_udp\":{\"tried\":true,\"ok\":false}}")));

    // The admin API: the first byte says whether the listener asks for a token.
    const std::string no_token(1, '\0');  // the listener asks for no token
    write(out / "admin_request", "metrics", of(no_token + "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    write(out / "admin_request", "sessions_user",
          of(std::string_view("\x01GET /sessions?user=a%3Ab HTTP/1.1\r\nAuthorization: Bearer fuzz-token-0123456789\r\n\r\n")));
    write(out / "admin_request", "disconnect", of(no_token + "DELETE /sessions/1-2-3 HTTP/1.1\r\n\r\n"));
    write(out / "admin_request", "user", of(no_token + "DELETE /users/x%2Fy/sessions HTTP/1.1\r\n\r\n"));
    write(out / "admin_request", "reload", of(std::string_view("\x01POST /reload HTTP/1.1\r\nContent-Length: 0\r\n\r\n")));

    for (const char* name : {"hallpass.default.yaml", "hallpass.production.example.yaml", "hallpass.package.yaml"}) {
        std::ifstream in(std::string(HALLPASS_SOURCE_DIR) + "/config/" + name, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        write(out / "config", name, of(text.str()));
    }

    // Driver programs for the TURN core: allocate, permit, bind, relay, tick, for a few
    // clients (see fuzz_turn_server.cpp for the encoding).
    write(out / "turn_server", "allocate_and_relay",
          Bytes{0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 5, 0, 0, 0, 16, 8, 0, 16, 0, 0, 9, 0, 0, 200});
    write(out / "turn_server", "everyone_allocates",
          Bytes{0, 0, 1, 0, 0, 0, 1, 2, 0, 0, 0, 2, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0, 1, 1, 7, 1, 2, 0, 0});
    std::cout << "seeds written under " << out << "\n";
    return 0;
}
