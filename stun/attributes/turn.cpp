#include "stun/attributes/turn.hpp"

#include "stun/byte_order.hpp"

namespace hallpass::stun {

Result<ChannelNumber> ChannelNumber::decode(const AttributeView& a, const TransactionId&) {
    if (a.value.size() != 4) return ParseError{"CHANNEL-NUMBER", "length is not 4"};
    return ChannelNumber{read_u16(a.value.data())};
}
void ChannelNumber::encode(MessageBuilder& b) const {
    auto v = b.append(type, 4);
    if (!v.empty()) write_u16(v.data(), number), write_u16(v.data() + 2, 0);
}

Result<Lifetime> Lifetime::decode(const AttributeView& a, const TransactionId&) {
    if (a.value.size() != 4) return ParseError{"LIFETIME", "length is not 4"};
    return Lifetime{read_u32(a.value.data())};
}
void Lifetime::encode(MessageBuilder& b) const {
    auto v = b.append(type, 4);
    if (!v.empty()) write_u32(v.data(), seconds);
}

Result<Data> Data::decode(const AttributeView& a, const TransactionId&) { return Data{a.value}; }
void Data::encode(MessageBuilder& b) const {
    auto v = b.append(type, bytes.size());
    if (!v.empty()) std::copy(bytes.begin(), bytes.end(), v.begin());
}

Result<EvenPort> EvenPort::decode(const AttributeView& a, const TransactionId&) {
    if (a.value.size() != 1) return ParseError{"EVEN-PORT", "length is not 1"};
    return EvenPort{(a.value[0] & 0x80) != 0};
}
void EvenPort::encode(MessageBuilder& b) const {
    auto v = b.append(type, 1);
    if (!v.empty()) v[0] = reserve_next ? 0x80 : 0x00;
}

Result<RequestedTransport> RequestedTransport::decode(const AttributeView& a,
                                                      const TransactionId&) {
    if (a.value.size() != 4) return ParseError{"REQUESTED-TRANSPORT", "length is not 4"};
    return RequestedTransport{a.value[0]};
}
void RequestedTransport::encode(MessageBuilder& b) const {
    auto v = b.append(type, 4);
    if (!v.empty()) v[0] = protocol, v[1] = v[2] = v[3] = 0;
}

Result<DontFragment> DontFragment::decode(const AttributeView& a, const TransactionId&) {
    if (!a.value.empty()) return ParseError{"DONT-FRAGMENT", "has a value"};
    return DontFragment{};
}
void DontFragment::encode(MessageBuilder& b) const { b.append(type, 0); }

Result<ReservationToken> ReservationToken::decode(const AttributeView& a, const TransactionId&) {
    if (a.value.size() != 8) return ParseError{"RESERVATION-TOKEN", "length is not 8"};
    ReservationToken t;
    std::copy(a.value.begin(), a.value.end(), t.token.begin());
    return t;
}
void ReservationToken::encode(MessageBuilder& b) const {
    auto v = b.append(type, 8);
    if (!v.empty()) std::copy(token.begin(), token.end(), v.begin());
}

}  // namespace hallpass::stun
