#include "relay/log_field.hpp"

#include <cstdint>

namespace hallpass::relay {
namespace {

// Length of the well-formed UTF-8 sequence of two or more bytes at `s[i]` (RFC 3629:
// no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(s[i + k]); };
    const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
    const std::uint8_t lead = b(0);
    if (lead >= 0xC2 && lead <= 0xDF) return cont(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (lead == 0xE0 && b(1) < 0xA0) return 0;  // overlong
        if (lead == 0xED && b(1) > 0x9F) return 0;  // surrogates
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (lead == 0xF0 && b(1) < 0x90) return 0;  // overlong
        if (lead == 0xF4 && b(1) > 0x8F) return 0;  // past U+10FFFF
        return 4;
    }
    return 0;
}

void escape(std::string& out, std::uint8_t byte) {
    static constexpr char hex[] = "0123456789abcdef";
    out += "\\x";
    out += hex[byte >> 4];
    out += hex[byte & 0xF];
}

}  // namespace

std::string log_field(std::string_view value) {
    if (value.empty()) return "\"\"";
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size();) {
        const auto byte = static_cast<std::uint8_t>(value[i]);
        if (byte > 0x20 && byte < 0x7F && byte != '"' && byte != '\\') {
            out += value[i++];
        } else if (const std::size_t n = byte >= 0x80 ? utf8_sequence(value, i) : 0; n > 0) {
            out.append(value.substr(i, n));
            i += n;
        } else {
            escape(out, byte);
            ++i;
        }
    }
    return out;
}

}  // namespace hallpass::relay
