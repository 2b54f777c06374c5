// ConnectionSlot: one TCP/TLS connection's place under limits.connections_total, and once
// its client's address is known, under limits.connections_per_ip (IPv6 per prefix). Taken
// at accept, before any TLS work, and given back when the slot is destroyed, so every way a
// connection can end — a timeout, a refusal, a reset, a stop — returns its places.
#pragma once

#include <optional>

#include "stun/transport_address.hpp"

namespace hallpass::relay {

class SharedState;

class ConnectionSlot {
public:
    ConnectionSlot() = default;
    explicit ConnectionSlot(SharedState& shared) : shared_(&shared) {}
    ConnectionSlot(ConnectionSlot&& o) noexcept { *this = std::move(o); }
    ConnectionSlot& operator=(ConnectionSlot&& o) noexcept;
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;
    ~ConnectionSlot() { release(); }

    // Counts the client's address; false when it is at its limit (nothing counted).
    bool count_client(const IpAddress& client);
    bool counts_client() const { return client_.has_value(); }
    explicit operator bool() const { return shared_ != nullptr; }

private:
    void release();

    SharedState* shared_ = nullptr;
    std::optional<IpAddress> client_;  // the key it is counted under (ClientAddressCounter::admit)
};

}  // namespace hallpass::relay
