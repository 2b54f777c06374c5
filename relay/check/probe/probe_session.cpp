#include "relay/check/probe/probe_session.hpp"

#include <algorithm>

namespace hallpass::relay::probe {

using std::chrono::milliseconds;
using Kind = turn::ClientResult::Kind;

turn::ClientResult ProbeSession::transact(const RequestMaker& make, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    turn::ClientResult result;
    for (int round = 0; round < 3; ++round) {  // the first try, and again after 401 or 438
        // Over UDP the request is sent again after 250, 500, 1000 ms ... until the deadline.
        milliseconds wait = link_->stream() ? timeout : milliseconds(250);
        link_->send(make(client_, buf_));
        result = {};
        while (result.kind == Kind::not_mine) {
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) return result;
            const auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
            auto answer = link_->receive(std::min(wait, left));
            if (!answer) {
                if (link_->stream()) return result;
                wait = std::min(wait * 2, milliseconds(2000));
                link_->send(make(client_, buf_));
                continue;
            }
            result = client_.handle_response(*answer);
        }
        if (result.kind != Kind::retry) return result;
    }
    return result;
}

turn::ClientResult ProbeSession::allocate(milliseconds timeout) {
    return transact([](turn::TurnClient& c, std::span<std::uint8_t> b) { return c.allocate_request(b); }, timeout);
}

turn::ClientResult ProbeSession::binding(milliseconds timeout) {
    return transact([](turn::TurnClient& c, std::span<std::uint8_t> b) { return c.binding_request(b); }, timeout);
}

turn::ClientResult ProbeSession::permit(const TransportAddress& peer) {
    return transact([&](turn::TurnClient& c, std::span<std::uint8_t> b) { return c.create_permission_request(b, peer); },
                    milliseconds(3000));
}

turn::ClientResult ProbeSession::bind_channel(std::uint16_t channel, const TransportAddress& peer) {
    return transact([&](turn::TurnClient& c, std::span<std::uint8_t> b) { return c.channel_bind_request(b, channel, peer); },
                    milliseconds(3000));
}

bool ProbeSession::send_channel_data(std::uint16_t channel, std::span<const std::uint8_t> payload) {
    // Over streams ChannelData is padded to a multiple of 4 (RFC 8656 §12.5).
    return link_->send(turn::TurnClient::channel_data(buf_, channel, payload, link_->stream()), false);
}

bool ProbeSession::send_indication(const TransportAddress& peer, std::span<const std::uint8_t> payload) {
    return link_->send(client_.send_indication(buf_, peer, payload));
}

}  // namespace hallpass::relay::probe
