// The codec's invariant, shared by the unit tests and the fuzz target: a message that
// parses can be built again from what the view holds (attribute by attribute, with a fresh
// FINGERPRINT in place of the old one), and that parses to the same message.
#pragma once

#include <array>
#include <string>

#include "stun/message_builder.hpp"
#include "stun/message_view.hpp"

namespace hallpass::stun {

// "" when the rebuilt message parses to the same method, class, transaction id and
// attributes (type and value, in order); else what differs.
inline std::string round_trip_difference(const MessageView& m) {
    std::array<std::uint8_t, 65536 + 20> buf;
    MessageBuilder b(buf, m.method(), m.message_class(), m.transaction_id());
    bool fingerprint = false;
    for (const auto& a : m.attributes()) {
        if (a.type == static_cast<std::uint16_t>(AttributeType::fingerprint)) {
            fingerprint = true;
            continue;
        }
        auto v = b.append(a.type, a.value.size());
        if (v.size() != a.value.size()) return "an attribute did not fit when rebuilt";
        std::copy(a.value.begin(), a.value.end(), v.begin());
    }
    if (fingerprint) b.add_fingerprint();
    if (!b.ok()) return "the rebuilt message did not fit";
    auto again = MessageView::parse(b.bytes());
    if (!again) return "the rebuilt message does not parse: " + again.error().to_string();
    if (again->method() != m.method() || again->message_class() != m.message_class() ||
        again->transaction_id() != m.transaction_id())
        return "the header changed";
    const auto before = m.attributes();
    const auto after = again->attributes();
    if (before.size() != after.size()) return "the attribute count changed";
    for (std::size_t i = 0; i < before.size(); ++i) {
        if (before[i].type != after[i].type) return "attribute " + std::to_string(i) + " changed type";
        const bool is_fingerprint = before[i].type == static_cast<std::uint16_t>(AttributeType::fingerprint);
        if (!is_fingerprint && !std::equal(before[i].value.begin(), before[i].value.end(), after[i].value.begin(),
                                           after[i].value.end()))
            return "attribute " + std::to_string(i) + " changed value";
    }
    return {};
}

}  // namespace hallpass::stun
