#include "relay/connection_slot.hpp"

#include <utility>

#include "relay/shared_state.hpp"

namespace hallpass::relay {

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& o) noexcept {
    if (this != &o) {
        release();
        shared_ = std::exchange(o.shared_, nullptr);
        client_ = std::exchange(o.client_, std::nullopt);
    }
    return *this;
}

bool ConnectionSlot::count_client(const IpAddress& client) {
    if (!shared_ || client_) return false;
    client_ = shared_->count_client(client);
    return client_.has_value();
}

void ConnectionSlot::release() {
    if (!shared_) return;
    shared_->release_connection(client_);
    shared_ = nullptr;
    client_.reset();
}

}  // namespace hallpass::relay
