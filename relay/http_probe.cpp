#include "relay/http_probe.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace hallpass::relay {
namespace {

// The first four bytes of each HTTP/1.x method (RFC 9110 §9, RFC 5789 for PATCH).
constexpr std::array<std::string_view, 9> method_prefixes = {
    "GET ", "HEAD", "POST", "PUT ", "DELE", "OPTI", "PATC", "CONN", "TRAC"};
constexpr std::size_t prefix_size = 4;

}  // namespace

FirstBytes classify_first_bytes(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return FirstBytes::need_more;
    const std::size_t n = std::min(bytes.size(), prefix_size);
    const bool known = std::any_of(method_prefixes.begin(), method_prefixes.end(),
                                   [&](std::string_view prefix) {
                                       return std::equal(bytes.begin(), bytes.begin() + n,
                                                         prefix.begin(), [](std::uint8_t a, char b) {
                                                             return a == static_cast<std::uint8_t>(b);
                                                         });
                                   });
    if (!known) return FirstBytes::turn;
    return n == prefix_size ? FirstBytes::http : FirstBytes::need_more;
}

}  // namespace hallpass::relay
