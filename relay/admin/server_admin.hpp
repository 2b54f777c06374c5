// ServerAdmin: the running server as the admin API sees it — metrics summed over the
// workers at each scrape, the process's state for /info and /readyz, and reloads through
// the same ConfigReloader as SIGHUP. Runs on the control thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "relay/admin/admin_api.hpp"

namespace hallpass::relay {

class SharedState;
class Worker;
class ConfigReloader;
class Drain;

class ServerAdmin final : public AdminBackend {
public:
    ServerAdmin(SharedState& shared, std::vector<Worker*> workers, ConfigReloader& reloader, Drain& drain);

    std::string metrics() override;
    boost::json::object info() override;
    ReloadReport reload() override;
    boost::json::object drain() override;
    boost::json::array sessions(const std::string& user) override;
    std::optional<std::size_t> disconnect_session(const std::string& id) override;
    std::size_t disconnect_user(const std::string& user) override;
    bool ready() override;
    std::string token() override;
    bool open_metrics() override;

private:
    SharedState& shared_;
    std::vector<Worker*> workers_;
    ConfigReloader& reloader_;
    Drain& drain_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace hallpass::relay
