#include "turn/turn_client.hpp"

#include <algorithm>

#include "stun/attributes.hpp"
#include "turn/channel_data.hpp"

namespace hallpass::turn {

using stun::ErrorCode;
using stun::MessageClass;
using stun::Method;

namespace {

constexpr auto method_code(Method m) { return static_cast<std::uint16_t>(m); }

// splitmix64: a tiny generator that is enough to keep transaction ids distinct and
// unguessable to anyone who does not know the seed (RFC 8489 §6: "uniformly and randomly
// chosen"); the caller chooses how random the seed is.
std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint8_t wire_family(AddressFamily f) {
    return f == AddressFamily::ipv4 ? stun::family_ipv4 : stun::family_ipv6;
}

}  // namespace

TurnClient::TurnClient(std::string username, std::string password, std::uint64_t seed)
    : username_(std::move(username)), password_(std::move(password)), rng_state_(seed) {}

stun::TransactionId TurnClient::next_transaction_id() {
    stun::TransactionId id{};
    const std::uint64_t a = splitmix64(rng_state_);
    const std::uint64_t b = splitmix64(rng_state_);
    for (int i = 0; i < 8; ++i) id[i] = static_cast<std::uint8_t>(a >> (8 * i));
    for (int i = 0; i < 4; ++i) id[8 + i] = static_cast<std::uint8_t>(b >> (8 * i));
    return id;
}

void TurnClient::remember(const stun::TransactionId& id, std::uint16_t method,
                          bool signed_request) {
    pending_[next_slot_] = Pending{id, method, signed_request, true};
    next_slot_ = (next_slot_ + 1) % max_pending;
}

TurnClient::Pending* TurnClient::find_pending(const stun::TransactionId& id) {
    for (auto& p : pending_)
        if (p.live && p.id == id) return &p;
    return nullptr;
}

void TurnClient::learn(std::string_view realm, std::string_view nonce) {
    // The key depends on the realm only, so it is computed again only when that changes.
    if (realm != realm_ || key_.empty()) {
        realm_ = std::string(realm);
        key_ = stun::long_term_key_md5(username_, realm_, password_);
    }
    nonce_ = std::string(nonce);
}

// Adds the credentials and MESSAGE-INTEGRITY when we have them (RFC 8489 §9.2.3), and
// remembers the transaction. Binding stays unsigned: servers answer it without
// authentication, so its answer carries no integrity to check.
std::span<const std::uint8_t> TurnClient::seal(stun::MessageBuilder& b, std::uint16_t method) {
    const bool sign = can_sign() && method != method_code(Method::binding);
    if (sign) {
        b.add(stun::Username{username_}).add(stun::Realm{realm_}).add(stun::Nonce{nonce_});
        b.add_message_integrity(key_);
    }
    if (!b.ok()) return {};
    remember(b.transaction_id(), method, sign);
    return b.bytes();
}

std::span<const std::uint8_t> TurnClient::binding_request(std::span<std::uint8_t> buf) {
    stun::MessageBuilder b(buf, Method::binding, MessageClass::request, next_transaction_id());
    return seal(b, method_code(Method::binding));
}

std::span<const std::uint8_t> TurnClient::allocate_request(std::span<std::uint8_t> buf,
                                                           const AllocateOptions& options) {
    stun::MessageBuilder b(buf, Method::allocate, MessageClass::request, next_transaction_id());
    if (options.transport) b.add(stun::RequestedTransport{*options.transport});
    if (options.lifetime) b.add(stun::Lifetime{*options.lifetime});
    if (options.family) b.add(stun::RequestedAddressFamily{wire_family(*options.family)});
    if (options.even_port) b.add(stun::EvenPort{options.reserve_next});
    if (options.reservation_token) b.add(stun::ReservationToken{*options.reservation_token});
    if (options.dont_fragment) b.add(stun::DontFragment{});
    for (const auto& [type, value] : options.raw_attributes) {
        auto v = b.append(type, value.size());
        if (v.size() == value.size()) std::copy(value.begin(), value.end(), v.begin());
    }
    return seal(b, method_code(Method::allocate));
}

std::span<const std::uint8_t> TurnClient::refresh_request(std::span<std::uint8_t> buf,
                                                          std::optional<std::uint32_t> lifetime) {
    stun::MessageBuilder b(buf, Method::refresh, MessageClass::request, next_transaction_id());
    if (lifetime) b.add(stun::Lifetime{*lifetime});
    return seal(b, method_code(Method::refresh));
}

std::span<const std::uint8_t> TurnClient::create_permission_request(
    std::span<std::uint8_t> buf, std::span<const TransportAddress> peers) {
    stun::MessageBuilder b(buf, Method::create_permission, MessageClass::request,
                           next_transaction_id());
    for (const auto& peer : peers) b.add(stun::XorPeerAddress{peer});
    return seal(b, method_code(Method::create_permission));
}

std::span<const std::uint8_t> TurnClient::channel_bind_request(std::span<std::uint8_t> buf,
                                                               std::uint16_t channel,
                                                               const TransportAddress& peer) {
    stun::MessageBuilder b(buf, Method::channel_bind, MessageClass::request,
                           next_transaction_id());
    b.add(stun::ChannelNumber{channel}).add(stun::XorPeerAddress{peer});
    return seal(b, method_code(Method::channel_bind));
}

ClientResult TurnClient::handle_response(std::span<const std::uint8_t> bytes) {
    auto m = stun::MessageView::parse(bytes);
    if (!m) return {};
    const auto cls = m->message_class();
    if (cls != MessageClass::success && cls != MessageClass::error) return {};
    Pending* p = find_pending(m->transaction_id());
    if (!p || p->method != m->method()) return {};

    // RFC 8489 §9.2.5: an answer to a signed request that fails the integrity check is
    // discarded as if never received (the transaction stays open for the real answer).
    // Success must be signed; errors may not be (400, 401, 420, 438 cannot be).
    if (p->signed_request) {
        const bool has_mi = m->has(stun::AttributeType::message_integrity);
        if ((cls == MessageClass::success && !has_mi) ||
            (has_mi && !stun::message_integrity_matches(*m, key_)))
            return {};
    }

    ClientResult r;
    r.method = p->method;
    if (cls == MessageClass::success) {
        p->live = false;
        r.kind = ClientResult::Kind::success;
        if (auto a = stun::get<stun::XorRelayedAddress>(*m)) r.relayed = a->address;
        if (auto a = stun::get<stun::XorMappedAddress>(*m)) r.mapped = a->address;
        if (auto l = stun::get<stun::Lifetime>(*m)) r.lifetime = l->seconds;
        if (auto t = stun::get<stun::ReservationToken>(*m)) r.reservation_token = t->token;
        return r;
    }

    auto code = stun::get<stun::ErrorCodeAttribute>(*m);
    if (!code) return {};  // an error answer without ERROR-CODE is malformed
    p->live = false;
    r.code = static_cast<ErrorCode>(code->code);
    r.kind = ClientResult::Kind::error;
    if (auto a = stun::get<stun::AlternateServer>(*m)) r.alternate_server = a->address;
    if (auto d = stun::get<stun::AlternateDomain>(*m)) r.alternate_domain = std::string(d->text);
    auto realm = stun::get<stun::Realm>(*m);
    auto nonce = stun::get<stun::Nonce>(*m);
    // §9.2.5: a 401 to an unsigned request is the challenge; to a signed one it means the
    // credentials are wrong, and retrying would only loop.
    if (r.code == ErrorCode::unauthenticated && !p->signed_request && realm && nonce) {
        learn(realm->text, nonce->text);
        r.kind = ClientResult::Kind::retry;
    }
    // 438: the nonce went stale; the answer carries a fresh one (and the realm).
    if (r.code == ErrorCode::stale_nonce && nonce && (realm || !realm_.empty())) {
        learn(realm ? realm->text : std::string_view(realm_), nonce->text);
        r.kind = ClientResult::Kind::retry;
    }
    return r;
}

std::span<const std::uint8_t> TurnClient::channel_data(std::span<std::uint8_t> buf,
                                                       std::uint16_t channel,
                                                       std::span<const std::uint8_t> payload,
                                                       bool pad) {
    if (payload.size() > 0xFFFF) return {};
    std::size_t total = channel_data_header_size + payload.size();
    const std::size_t padded = pad ? (total + 3) & ~std::size_t{3} : total;
    if (buf.size() < padded) return {};
    write_channel_data_header(buf.data(), channel, static_cast<std::uint16_t>(payload.size()));
    std::copy(payload.begin(), payload.end(), buf.begin() + channel_data_header_size);
    while (total < padded) buf[total++] = 0;
    return buf.first(padded);
}

std::span<const std::uint8_t> TurnClient::send_indication(std::span<std::uint8_t> buf,
                                                          const TransportAddress& peer,
                                                          std::span<const std::uint8_t> payload) {
    stun::MessageBuilder b(buf, Method::send, MessageClass::indication, next_transaction_id());
    b.add(stun::XorPeerAddress{peer}).add(stun::Data{payload});
    return b.bytes();
}

std::optional<IncomingData> TurnClient::parse_incoming(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return std::nullopt;
    if (looks_like_channel_data(bytes[0])) {
        auto cd = parse_channel_data(bytes);
        if (!cd) return std::nullopt;
        return IncomingData{cd->channel, std::nullopt, cd->payload};
    }
    auto m = stun::MessageView::parse(bytes);
    if (!m || !m->is(Method::data, MessageClass::indication)) return std::nullopt;
    auto peer = stun::get<stun::XorPeerAddress>(*m);
    auto data = stun::get<stun::Data>(*m);
    if (!peer || !data) return std::nullopt;
    return IncomingData{0, peer->address, data->bytes};
}

}  // namespace hallpass::turn
