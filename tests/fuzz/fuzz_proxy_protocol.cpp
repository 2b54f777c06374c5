// The PROXY protocol parser (relay/proxy_protocol), v1 and v2: whatever it is fed, a
// header it accepts lies within the bytes, every shorter prefix of it asks for more, and
// what follows the header never changes the verdict.
#include <cstdint>
#include <vector>

#include "relay/proxy_protocol.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace hallpass;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    const auto parsed = relay::parse_proxy_header(bytes);
    if (parsed.status != relay::ProxyParse::Status::done) return 0;
    const std::size_t length = parsed.header.length;
    fuzz::require(length > 0 && length <= size, "a header longer than the bytes");
    // Every prefix is still a header in the making (checked for a few, to stay quick).
    for (std::size_t n : {std::size_t{0}, length / 2, length - 1})
        fuzz::require(relay::parse_proxy_header(bytes.first(n)).status == relay::ProxyParse::Status::need_more,
                      "a prefix of a valid header was not need_more");
    const auto exact = relay::parse_proxy_header(bytes.first(length));
    fuzz::require(exact.status == relay::ProxyParse::Status::done && exact.header.length == length &&
                      exact.header.source == parsed.header.source &&
                      exact.header.destination == parsed.header.destination,
                  "bytes after the header changed it");
    return 0;
}
