#include "relay/log_field.hpp"

#include <cstdint>

namespace hallpass::relay {

std::string log_field(std::string_view value) {
    if (value.empty()) return "\"\"";
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        const auto byte = static_cast<std::uint8_t>(c);
        if (byte > 0x20 && byte < 0x7F && byte != '"' && byte != '\\') {
            out += c;
            continue;
        }
        out += "\\x";
        out += hex[byte >> 4];
        out += hex[byte & 0xF];
    }
    return out;
}

}  // namespace hallpass::relay
