// HTTP on the TURN ports: first-byte classification, Beast's reader over bytes that come in
// pieces of any size, and the routes (with the check on, over TLS) for whatever request
// the reader accepts: every answer is a whole HTTP/1.x response, and the reader never
// claims bytes it was not given.
#include <cstdint>
#include <string_view>

#include "config/config_loader.hpp"
#include "relay/http_probe.hpp"
#include "relay/http_request_reader.hpp"
#include "relay/check/turn_port_http.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace hallpass;

namespace {

class Backend : public relay::TurnPortBackend {
public:
    Backend()
        : snapshot_(config::parse_config(R"(
realm: fuzz
listen: {udp: ["0.0.0.0:3478"], tls: ["[::]:443"]}
tls: {certificate: /x/c.pem, private_key: /x/k.pem}
relay: {ranges: ["203.0.113.0/24"]}
auth: {secrets: ["s"]}
check: {enabled: true}
)", "fuzz.yaml"),
                    relay::ProcessKeys{1, "k"}, 1) {}
    const relay::RuntimeSnapshot& snapshot() override { return snapshot_; }
    bool take_check_credentials(const IpAddress&) override { return (++taken_ % 3) != 0; }
    std::uint32_t check_retry_after_seconds() override { return 3; }
    std::int64_t now_unix() override { return 1'800'000'000; }
    std::string fresh_nonce() override { return "abcdef"; }

private:
    relay::RuntimeSnapshot snapshot_;
    unsigned taken_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Backend backend;
    const std::span<const std::uint8_t> all(data, size);
    (void)relay::classify_first_bytes(all);
    // The first byte sets the piece size, as reads of any size would cut the stream.
    const std::size_t piece = size == 0 ? 1 : 1 + data[0] % 64;
    relay::HttpRequestReader reader;
    std::vector<std::uint8_t> pending;
    std::size_t offset = 0;
    while (offset < size) {
        const std::size_t n = std::min(piece, size - offset);
        pending.insert(pending.end(), data + offset, data + offset + n);
        offset += n;
        const auto r = reader.feed(pending);
        fuzz::require(r.used <= pending.size(), "the reader took more bytes than it was given");
        pending.erase(pending.begin(), pending.begin() + static_cast<long>(r.used));
        if (r.status == relay::HttpRequestReader::Status::need_more) continue;
        if (r.status != relay::HttpRequestReader::Status::done) return 0;
        const relay::TurnPortConnection c{{*IpAddress::parse("192.0.2.1"), *TransportAddress::parse("[::1]:443")}, true};
        const std::string answer = relay::turn_port_response_bytes(
            relay::answer_turn_port_request(reader.request(), c, backend), reader.request(), true);
        fuzz::require((answer.rfind("HTTP/1.1 ", 0) == 0 || answer.rfind("HTTP/1.0 ", 0) == 0) &&
                          answer.find("\r\n\r\n") != std::string::npos,
                      "an incomplete answer");
        reader.reset();
    }
    return 0;
}
