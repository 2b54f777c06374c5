#include "tests/integration/turn_session.hpp"

#include <random>

namespace hallpass::testing {

TurnSession::TurnSession(TransportAddress server, std::string username, std::string password)
    : TurnSession(udp_transport(server), std::move(username), std::move(password)) {}

TurnSession::TurnSession(std::unique_ptr<ClientTransport> transport, std::string username,
                         std::string password)
    : transport_(std::move(transport)),
      stream_(dynamic_cast<StreamTransport*>(transport_.get()) != nullptr),
      client_(std::move(username), std::move(password), std::random_device{}()) {}

turn::ClientResult TurnSession::transact(const RequestMaker& make) {
    turn::ClientResult result;
    for (int attempt = 0; attempt < 3; ++attempt) {
        transport_->send(make(client_, buf_));
        result = {};
        while (result.kind == turn::ClientResult::Kind::not_mine) {
            auto d = transport_->receive();
            if (!d) return result;
            result = client_.handle_response(*d);
        }
        if (result.kind != turn::ClientResult::Kind::retry) return result;
    }
    return result;
}

turn::ClientResult TurnSession::allocate(const turn::AllocateOptions& options) {
    return transact([&](turn::TurnClient& c, std::span<std::uint8_t> b) { return c.allocate_request(b, options); });
}

turn::ClientResult TurnSession::refresh(std::optional<std::uint32_t> lifetime) {
    return transact([&](turn::TurnClient& c, std::span<std::uint8_t> b) { return c.refresh_request(b, lifetime); });
}

turn::ClientResult TurnSession::create_permission(const TransportAddress& peer) {
    return transact([&](turn::TurnClient& c, std::span<std::uint8_t> b) {
        return c.create_permission_request(b, peer);
    });
}

turn::ClientResult TurnSession::channel_bind(std::uint16_t channel, const TransportAddress& peer) {
    return transact([&](turn::TurnClient& c, std::span<std::uint8_t> b) {
        return c.channel_bind_request(b, channel, peer);
    });
}

void TurnSession::send_indication(const TransportAddress& peer, std::span<const std::uint8_t> payload) {
    transport_->send(client_.send_indication(buf_, peer, payload));
}

void TurnSession::send_channel_data(std::uint16_t channel, std::span<const std::uint8_t> payload) {
    // Over streams ChannelData is padded to a multiple of 4, as Chrome does.
    transport_->send(turn::TurnClient::channel_data(buf_, channel, payload, stream_));
}

std::optional<std::vector<std::uint8_t>> TurnSession::receive_data(turn::IncomingData& meta) {
    auto d = transport_->receive();
    if (!d) return std::nullopt;
    auto in = turn::TurnClient::parse_incoming(*d);
    if (!in) return std::nullopt;
    std::vector<std::uint8_t> payload(in->payload.begin(), in->payload.end());
    meta = *in;
    meta.payload = {};
    return payload;
}

}  // namespace hallpass::testing
