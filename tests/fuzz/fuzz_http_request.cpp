// HTTP on the TURN ports (relay/http_probe): first-byte classification and the request
// head parser never read past the bytes, an accepted head lies within them, and every
// answer is a complete HTTP/1.1 response.
#include <cstdint>
#include <string_view>

#include "relay/http_probe.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace hallpass;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    (void)relay::classify_first_bytes(bytes);
    const auto parsed = relay::parse_http_request_head(bytes);
    if (parsed.status != relay::HttpParse::Status::done) return 0;
    const auto* begin = reinterpret_cast<const char*>(data);
    fuzz::require(parsed.head.length <= size, "a head longer than the bytes");
    fuzz::require(parsed.head.method.data() >= begin && parsed.head.path.data() + parsed.head.path.size() <= begin + size,
                  "the request line points outside the bytes");
    const std::string answer = relay::http_response(parsed.head);
    fuzz::require(answer.rfind("HTTP/1.1 ", 0) == 0 && answer.find("\r\n\r\n") != std::string::npos,
                  "an incomplete answer");
    return 0;
}
