// ConfigReloader: what SIGHUP (and the admin API's POST /reload) does. It reads the config
// file again with the command line's overrides, and the TLS files; validates all of it; and
// only then publishes one new runtime snapshot to the shared state and every worker. An
// invalid file changes nothing: the running snapshot stays and the report says which file
// and key are wrong and why. Keys that cannot change live are named as needing a restart,
// keep their running values, and do not stop the rest from applying.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "config/config_diff.hpp"
#include "config/config_loader.hpp"
#include "relay/tls_context.hpp"
#include "relay/runtime_snapshot.hpp"

namespace hallpass::relay {

class ServiceNotifier;
class SharedState;
class Worker;

struct ConfigSource {
    std::string path;
    std::vector<config::Override> overrides;
};

struct ReloadReport {
    bool applied = false;
    std::uint64_t generation = 0;  // the generation in force afterwards
    std::string error;             // why nothing changed: "FILE: KEY: reason"
    std::vector<std::string> changed;
    std::vector<std::string> needs_restart;
};

class ConfigReloader {
public:
    ConfigReloader(ConfigSource source, SharedState& shared, ProcessKeys keys, std::vector<Worker*> workers);

    // One reload at a time: called from the control thread only. Logs its outcome.
    ReloadReport reload();

    // systemd hears RELOADING=1 and READY=1 around each reload.
    void set_notifier(ServiceNotifier* notifier) { notifier_ = notifier; }

    // Something else a reload changes (the admin listener): called with the running and the
    // new config before anything changed, it prepares (binds) or throws with the key and
    // the reason, which refuses the reload; what it returns runs once the reload applies.
    using Step = std::function<std::function<void()>(const config::Config& running, const config::Config& next)>;
    void add_step(Step step) { steps_.push_back(std::move(step)); }

    // When the last reload was tried (seconds since the epoch; 0: never) and whether it applied.
    double last_attempt() const { return last_attempt_; }
    bool last_applied() const { return last_applied_; }

private:
    // The TLS files a reload will install: a new context for the running store, or the
    // store itself when the reload adds the first TLS listener.
    struct PreparedTls {
        TlsFiles files;
        std::shared_ptr<boost::asio::ssl::context> context;
        std::unique_ptr<TlsContextStore> store;
    };

    ReloadReport try_reload();
    PreparedTls prepare_tls(const config::Config& next) const;
    void wait_for_workers(std::vector<std::future<void>>& switched) const;
    void check_udp_additions(const config::ListenerChanges& listeners,
                             const std::vector<TransportAddress>& running_udp);

    ConfigSource source_;
    SharedState& shared_;
    ProcessKeys keys_;
    std::vector<Worker*> workers_;
    ServiceNotifier* notifier_ = nullptr;
    std::vector<Step> steps_;
    std::string certificate_logged_;  // the summary last logged by a reload
    double last_attempt_ = 0;
    bool last_applied_ = true;
};

}  // namespace hallpass::relay
