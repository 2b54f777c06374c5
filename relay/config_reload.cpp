#include "relay/config_reload.hpp"

#include <spdlog/spdlog.h>

#include <fmt/ranges.h>

#include <chrono>
#include <stdexcept>

#include "config/config_diff.hpp"
#include "relay/listener_sockets.hpp"
#include "relay/retired_udp_listeners.hpp"
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
    for (const auto* list : {&before.tcp, &before.tls})
        for (const auto& s : *list) {
            bool tls = false;
            if (!config::find_stream_listener(after, s.address, &tls) || tls == (list == &before.tls)) continue;
            spdlog::info("reload: {} {} now {} (the socket is kept; connections accepted before stay {})",
                         tls ? "tcp" : "tls", s.address.to_string(), tls ? "tls" : "tcp", tls ? "tcp" : "tls");
        }
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
    PreparedTls tls;
    std::vector<std::function<void()>> commits;
    try {
        auto loaded = config::load_config(file, source_.overrides);
        changes = config::diff_config(running->config(), loaded);
        next = config::keep_restart_only(std::move(loaded), running->config());
        if (!(next->relay.ranges == running->config().relay.ranges)) check_relay_ranges(*next);
        if (allocation_limit_of(*next, shared_.open_files()).value == 0)
            throw std::runtime_error("limits.allocations_total: the open file limit leaves no room for a "
                                     "single allocation");
        snapshot = std::make_shared<const RuntimeSnapshot>(*next, keys_, r.generation + 1);
        listeners = config::listener_changes(running->config().listen, next->listen);
        check_udp_additions(listeners, running->config().listen.udp);
        tls = prepare_tls(*next);
        // Bound last: a port that is taken refuses the reload before anything changed.
        sockets = bind_added_listeners(listeners, next->listen, workers_.size());
        for (const auto& step : steps_)
            if (auto commit = step(running->config(), *next)) commits.push_back(std::move(commit));
    } catch (const config::ConfigError& e) {
        r.error = e.what();  // names the file already
        return r;
    } catch (const std::exception& e) {
        r.error = file + ": " + e.what();
        return r;
    }
    // Nothing below fails. New TLS connections get the new certificate from here on; the
    // first TLS listener's store is in place before any worker has the listener.
    if (tls.store) shared_.set_tls(std::move(tls.store));
    else if (tls.context) shared_.tls()->install(tls.files, std::move(tls.context));
    shared_.publish(snapshot);
    shared_.with_retired_udp([&](RetiredUdpListeners& retired) {
        for (const auto& a : listeners.udp_removed) retired.retire(a, static_cast<unsigned>(workers_.size()));
    });
    std::vector<std::future<void>> switched;
    for (std::size_t i = 0; i < workers_.size(); ++i) switched.push_back(workers_[i]->adopt(snapshot, std::move(sockets[i])));
    wait_for_workers(switched);
    apply_logging(next->log);
    for (auto& commit : commits) commit();
    log_listener_changes(listeners, running->config().listen, next->listen);
    r.applied = true;
    r.generation = snapshot->generation();
    r.changed = changes.applied;
    r.needs_restart = changes.needs_restart;
    if (!tls.files.certificate.empty()) {
        // Said when it changed (a renewal), not at every reload.
        const std::string summary = shared_.tls()->certificate_summary();
        if (summary != certificate_logged_) spdlog::info("reload: tls certificate: {}", summary);
        certificate_logged_ = summary;
    }
    return r;
}

// "Applied" is said once every worker has switched, which each does at its next loop turn;
// a worker stuck longer than this is one the watchdog will catch, not a reason to wait on.
void ConfigReloader::wait_for_workers(std::vector<std::future<void>>& switched) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (std::size_t i = 0; i < switched.size(); ++i)
        if (switched[i].wait_until(deadline) != std::future_status::ready)
            spdlog::warn("reload: worker {} has not switched to the new settings after 5 s", i);
}

// The TLS files are read again at each reload (a renewed certificate), as long as a TLS
// listener needs them. Throws with the key and the reason.
ConfigReloader::PreparedTls ConfigReloader::prepare_tls(const config::Config& next) const {
    PreparedTls p;
    if (next.listen.tls.empty()) return p;
    p.files = {next.tls.certificate, next.tls.private_key, next.tls.self_signed};
    if (shared_.tls()) p.context = make_server_context(p.files);
    else p.store = std::make_unique<TlsContextStore>(p.files);
    return p;
}

// A UDP address can be added unless sockets on its port are open for allocations now: its
// own old sockets (removed by an earlier reload, still serving), or a running address it
// shares a port with. Either way the kernel would move existing clients to sockets that do
// not know their allocations.
void ConfigReloader::check_udp_additions(const config::ListenerChanges& listeners,
                                         const std::vector<TransportAddress>& running_udp) {
    auto open = shared_.with_retired_udp([](RetiredUdpListeners& r) { return r.addresses(); });
    open.insert(open.end(), running_udp.begin(), running_udp.end());
    for (const auto& added : listeners.udp_added)
        for (const auto& now : open) {
            if (added == now)
                throw std::runtime_error("listen.udp: " + added.to_string() +
                                         " was removed by an earlier reload and is still open for the "
                                         "allocations made through it (it closes within a second once none is "
                                         "left, and the log says so): add it back then, or with a restart");
            if (sockets_overlap(added, now))
                throw std::runtime_error("listen.udp: " + added.to_string() + " shares its port with " +
                                         now.to_string() + ", which serves allocations now (the kernel would "
                                         "hand part of their traffic to the new address): make this change "
                                         "with a restart");
        }
}

}  // namespace hallpass::relay
