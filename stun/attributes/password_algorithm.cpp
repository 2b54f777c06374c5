#include "stun/attributes/password_algorithm.hpp"

#include "stun/byte_order.hpp"

namespace hallpass::stun {

Result<PasswordAlgorithm> PasswordAlgorithm::decode(const AttributeView& a, const TransactionId&) {
    if (a.value.size() < 4) return ParseError{"PASSWORD-ALGORITHM", "shorter than 4 bytes"};
    const std::size_t params = read_u16(a.value.data() + 2);
    if (4 + params != a.value.size())
        return ParseError{"PASSWORD-ALGORITHM", "parameter length does not match"};
    return PasswordAlgorithm{read_u16(a.value.data())};
}

void PasswordAlgorithm::encode(MessageBuilder& b) const {
    auto v = b.append(type, 4);
    if (!v.empty()) write_u16(v.data(), algorithm), write_u16(v.data() + 2, 0);
}

Result<PasswordAlgorithms> PasswordAlgorithms::decode(const AttributeView& a,
                                                      const TransactionId&) {
    PasswordAlgorithms out;
    std::size_t pos = 0;
    while (pos < a.value.size()) {
        if (a.value.size() - pos < 4) return ParseError{"PASSWORD-ALGORITHMS", "truncated entry"};
        const std::size_t params = (read_u16(a.value.data() + pos + 2) + 3u) & ~3u;
        if (a.value.size() - pos - 4 < params)
            return ParseError{"PASSWORD-ALGORITHMS", "parameters run past the end"};
        if (out.count == out.algorithms.size())
            return ParseError{"PASSWORD-ALGORITHMS", "too many entries"};
        out.algorithms[out.count++] = read_u16(a.value.data() + pos);
        pos += 4 + params;
    }
    return out;
}

void PasswordAlgorithms::encode(MessageBuilder& b) const {
    auto v = b.append(type, 4 * count);
    for (std::size_t i = 0; i < count && !v.empty(); ++i) {
        write_u16(v.data() + 4 * i, algorithms[i]);
        write_u16(v.data() + 4 * i + 2, 0);
    }
}

}  // namespace hallpass::stun
