// AdminListener: the admin HTTP listener as configured now (admin.listen), which a reload
// may move or turn off. The new one is bound while the reload is prepared (a port that is
// taken refuses the reload), and once it applies the old one stops accepting but finishes
// what it is answering: the reload that moves it may have come through it.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <vector>

#include "relay/admin/admin_server.hpp"
#include "relay/config_reload.hpp"

namespace hallpass::relay {

class AdminListener {
public:
    AdminListener(boost::asio::io_context& io, AdminHandler handler);

    // At start; throws "admin.listen: ADDRESS: reason" when it cannot bind.
    void open(const config::AdminConfig& admin);
    void start();
    void stop();
    ConfigReloader::Step reload_step();

private:
    void log_listening(const char* prefix, const TransportAddress& local, const config::AdminConfig& admin) const;

    boost::asio::io_context& io_;
    AdminHandler handler_;
    std::shared_ptr<AdminServer> current_;  // shared with the reload step that made it
    TransportAddress current_local_;
    // Moved away from, still answering; dropped once they have nothing open.
    std::vector<std::shared_ptr<AdminServer>> retired_;
};

}  // namespace hallpass::relay
