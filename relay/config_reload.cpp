#include "relay/config_reload.hpp"

#include <spdlog/spdlog.h>

#include <fmt/ranges.h>

#include <chrono>
#include <stdexcept>

#include "config/config_diff.hpp"
#include "relay/listener_sockets.hpp"
#include "relay/logging.hpp"
#include "relay/service_notifier.hpp"
#include "relay/relay_range_check.hpp"
#include "relay/shared_state.hpp"
#include "relay/tls_context.hpp"
#include "relay/worker.hpp"

namespace hallpass::relay {

ConfigReloader::ConfigReloader(ConfigSource source, SharedState& shared, ProcessKeys keys,
                               std::vector<Worker*> workers)
    : source_(std::move(source)), shared_(shared), keys_(keys), workers_(std::move(workers)) {}

namespace {

const char* stream_kind(const config::ListenConfig& listen, const TransportAddress& a) {
    bool tls = false;
    config::find_stream_listener(listen, a, &tls);
    return tls ? "tls" : "tcp";
}

void log_listener_changes(const config::ListenerChanges& l, const config::ListenConfig& before,
                          const config::ListenConfig& after) {
    for (const auto& a : l.udp_added) spdlog::info("reload: listening udp {}", a.to_string());
    for (const auto& a : l.stream_added)
        spdlog::info("reload: listening {} {}", stream_kind(after, a), a.to_string());
    for (const auto& a : l.udp_removed)
        spdlog::info("reload: udp {} removed: closed to new clients; the allocations made through it go "
                     "on, and it closes when the last one ends", a.to_string());
    for (const auto& a : l.stream_removed)
        spdlog::info("reload: {} {} removed: accepts no new connections; open ones go on",
                     stream_kind(before, a), a.to_string());
}

}  // namespace

ReloadReport ConfigReloader::reload() {
    if (notifier_) notifier_->reloading();
    ReloadReport r = try_reload();
    if (notifier_) notifier_->ready();
    last_attempt_ = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    last_applied_ = r.applied;
    if (!r.applied) {
        spdlog::error("reload failed, nothing changed (generation {} stays): {}", r.generation, r.error);
        return r;
    }
    for (const auto& key : r.needs_restart)
        spdlog::warn("reload: {} changed in {}: needs a restart; the running value stays", key, source_.path);
    spdlog::info("reload: generation {} applied; changed: {}", r.generation,
                 r.changed.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(r.changed, ", ")));
    return r;
}

// Everything that can fail comes before the first change: load, validate, build the
// snapshot, load the TLS files. Then publish, which cannot fail.
ReloadReport ConfigReloader::try_reload() {
    ReloadReport r;
    const SnapshotPtr running = shared_.snapshot();
    r.generation = running->generation();
    const std::string& file = source_.path;
    config::ConfigChanges changes;
    std::optional<config::Config> next;
    SnapshotPtr snapshot;
    config::ListenerChanges listeners;
    std::vector<ListenerSockets> sockets;
    try {
        auto loaded = config::load_config(file, source_.overrides);
        changes = config::diff_config(running->config(), loaded);
        next = config::keep_restart_only(std::move(loaded), running->config());
        if (!(next->relay.ranges == running->config().relay.ranges)) check_relay_ranges(*next);
        if (allocation_limit_of(*next, shared_.open_files()).value == 0)
            throw std::runtime_error("limits.allocations_total: the open file limit leaves no room for a "
                                     "single allocation");
        snapshot = std::make_shared<const RuntimeSnapshot>(*next, keys_, r.generation + 1);
        // Bound now: a port that is taken refuses the reload before anything changed.
        listeners = config::listener_changes(running->config().listen, next->listen);
        sockets = bind_added_listeners(listeners, next->listen, workers_.size());
    } catch (const config::ConfigError& e) {
        r.error = e.what();  // names the file already
        return r;
    } catch (const std::exception& e) {
        r.error = file + ": " + e.what();
        return r;
    }
    // Last, because it takes effect at once: new TLS connections get the new certificate.
    // The first TLS listener gets its store now, before any worker has the listener.
    if (!shared_.tls() && !next->listen.tls.empty()) {
        try {
            shared_.set_tls(std::make_unique<TlsContextStore>(
                TlsFiles{next->tls.certificate, next->tls.private_key, next->tls.self_signed}));
        } catch (const std::exception& e) {
            r.error = file + ": " + e.what();
            return r;
        }
    } else if (auto* tls = shared_.tls()) {
        std::string why;
        if (!tls->reload({next->tls.certificate, next->tls.private_key, next->tls.self_signed}, &why)) {
            r.error = file + ": " + why;
            return r;
        }
    }
    shared_.publish(snapshot);
    for (std::size_t i = 0; i < workers_.size(); ++i) workers_[i]->adopt(snapshot, std::move(sockets[i]));
    apply_logging(next->log);
    log_listener_changes(listeners, running->config().listen, next->listen);
    r.applied = true;
    r.generation = snapshot->generation();
    r.changed = changes.applied;
    r.needs_restart = changes.needs_restart;
    if (shared_.tls()) spdlog::info("reload: tls certificate: {}", shared_.tls()->certificate_summary());
    return r;
}

}  // namespace hallpass::relay
