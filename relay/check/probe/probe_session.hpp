// ProbeSession: a TURN client of `hallpass probe` over one ProbeLink — requests with the
// long-term credential dance (401, then signed) and, over UDP, retransmission (RFC 8489
// §6.2.1, shortened: a check should not wait long for a path that is blocked).
#pragma once

#include <chrono>
#include <memory>
#include <random>

#include "relay/check/probe/probe_link.hpp"
#include "turn/turn_client.hpp"

namespace hallpass::relay::probe {

class ProbeSession {
public:
    ProbeSession(std::unique_ptr<ProbeLink> link, std::string username, std::string password)
        : link_(std::move(link)), client_(std::move(username), std::move(password), std::random_device{}()) {}

    using RequestMaker = std::function<std::span<const std::uint8_t>(turn::TurnClient&, std::span<std::uint8_t>)>;
    // The answer, or kind not_mine when none came within `timeout`.
    turn::ClientResult transact(const RequestMaker& make, std::chrono::milliseconds timeout);

    turn::ClientResult allocate(std::chrono::milliseconds timeout);
    turn::ClientResult binding(std::chrono::milliseconds timeout);
    turn::ClientResult permit(const TransportAddress& peer);
    turn::ClientResult bind_channel(std::uint16_t channel, const TransportAddress& peer);
    // Media: never waits for the socket (a full one drops it, as a congested path would).
    bool send_channel_data(std::uint16_t channel, std::span<const std::uint8_t> payload);
    bool send_indication(const TransportAddress& peer, std::span<const std::uint8_t> payload);

    ProbeLink& link() { return *link_; }

private:
    std::unique_ptr<ProbeLink> link_;
    turn::TurnClient client_;
    std::array<std::uint8_t, 2048> buf_{};
};

}  // namespace hallpass::relay::probe
