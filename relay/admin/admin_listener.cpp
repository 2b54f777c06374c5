#include "relay/admin/admin_listener.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace hallpass::relay {

AdminListener::AdminListener(boost::asio::io_context& io, AdminHandler handler)
    : io_(io), handler_(std::move(handler)) {}

void AdminListener::open(const config::AdminConfig& admin) {
    if (!admin.listen) return;
    current_ = std::make_shared<AdminServer>(io_, *admin.listen, handler_);
    current_local_ = current_->local();
    log_listening("", current_local_, admin);
}

void AdminListener::start() {
    if (current_) current_->start();
}

void AdminListener::stop() {
    if (current_) current_->stop();
    for (auto& r : retired_) r->stop();
}

void AdminListener::log_listening(const char* prefix, const TransportAddress& local,
                                  const config::AdminConfig& admin) const {
    spdlog::info("{}admin listening on {}{}", prefix, local.to_string(),
                 admin.token.empty() ? "" : " (bearer token required)");
}

ConfigReloader::Step AdminListener::reload_step() {
    return [this](const config::Config& running, const config::Config& next) -> std::function<void()> {
        if (running.admin.listen == next.admin.listen) return {};
        std::shared_ptr<AdminServer> fresh;
        TransportAddress local;
        // No SO_REUSEPORT here (a second hallpass on the same admin port must fail to start,
        // not share it), so the new listener cannot bind beside an old one on its port.
        if (next.admin.listen && running.admin.listen && next.admin.listen->port == running.admin.listen->port &&
            next.admin.listen->port != 0)
            throw std::runtime_error("admin.listen: " + next.admin.listen->to_string() + " shares its port with the "
                                     "running admin listener " + running.admin.listen->to_string() +
                                     ": the new one is bound before the old one closes, so move it to another "
                                     "port, or restart");
        if (next.admin.listen) {
            fresh = std::make_shared<AdminServer>(io_, *next.admin.listen, handler_);
            local = fresh->local();
        }
        const config::AdminConfig admin = next.admin;
        return [this, fresh, local, admin]() mutable {
            std::erase_if(retired_, [](const auto& r) { return r->open_sessions() == 0; });
            if (current_) {
                current_->stop_accepting();
                retired_.push_back(std::move(current_));
                spdlog::info("reload: admin listener on {} closed (what it was answering gets its answer)",
                             current_local_.to_string());
            }
            if (!fresh) {
                spdlog::info("reload: admin listener off");
                return;
            }
            current_ = std::move(fresh);
            current_local_ = local;
            current_->start();
            log_listening("reload: ", local, admin);
        };
    };
}

}  // namespace hallpass::relay
