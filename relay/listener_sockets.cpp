#include "relay/listener_sockets.hpp"

#include <stdexcept>
#include <string>

namespace hallpass::relay {

std::vector<ListenerSockets> bind_added_listeners(const config::ListenerChanges& changes,
                                                  const config::ListenConfig& next, std::size_t workers) {
    std::vector<ListenerSockets> out(workers);
    for (const auto& address : changes.udp_added) {
        try {
            for (auto& w : out) w.udp.emplace_back(address, bind_listener(address));
        } catch (const std::runtime_error& e) {
            throw std::runtime_error("listen.udp: " + std::string(e.what()));
        }
    }
    for (const auto& address : changes.stream_added) {
        bool tls = false;
        config::find_stream_listener(next, address, &tls);
        const char* kind = tls ? "tls" : "tcp";
        try {
            for (auto& w : out) w.stream.emplace_back(address, listen_stream(address, kind));
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(std::string("listen.") + kind + ": " + e.what());
        }
    }
    return out;
}

}  // namespace hallpass::relay
