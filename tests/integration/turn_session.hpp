// A TURN client over a real UDP socket for tests: the sans-IO TurnClient plus request,
// answer and the 401/438 retry that every client does.
#pragma once

#include <functional>
#include <string>

#include "tests/integration/client_transport.hpp"
#include "tests/integration/udp_endpoint.hpp"
#include "turn/turn_client.hpp"

namespace hallpass::testing {

class TurnSession {
public:
    // Over UDP to `server`.
    TurnSession(TransportAddress server, std::string username, std::string password);
    TurnSession(std::unique_ptr<ClientTransport> transport, std::string username, std::string password);

    using RequestMaker = std::function<std::span<const std::uint8_t>(turn::TurnClient&, std::span<std::uint8_t>)>;
    // Sends the request (again after 401/438, as a client does) and returns the answer.
    turn::ClientResult transact(const RequestMaker& make);

    turn::ClientResult allocate(const turn::AllocateOptions& options = {});
    turn::ClientResult refresh(std::optional<std::uint32_t> lifetime);
    turn::ClientResult create_permission(const TransportAddress& peer);
    turn::ClientResult channel_bind(std::uint16_t channel, const TransportAddress& peer);

    void send_indication(const TransportAddress& peer, std::span<const std::uint8_t> payload);
    void send_channel_data(std::uint16_t channel, std::span<const std::uint8_t> payload);
    // The next ChannelData or Data indication from the server.
    std::optional<std::vector<std::uint8_t>> receive_data(turn::IncomingData& meta);

    ClientTransport& transport() { return *transport_; }
    TransportAddress local_address() const { return transport_->local_address(); }
    turn::TurnClient& client() { return client_; }

private:
    std::unique_ptr<ClientTransport> transport_;
    bool stream_ = false;
    turn::TurnClient client_;
    std::array<std::uint8_t, 2048> buf_{};
};

}  // namespace hallpass::testing
