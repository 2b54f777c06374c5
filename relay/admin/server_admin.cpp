#include "relay/admin/server_admin.hpp"

#include <spdlog/spdlog.h>

#include <future>

#include "relay/admin/metrics_text.hpp"
#include "relay/config_reload.hpp"
#include "relay/drain.hpp"
#include "relay/log_field.hpp"
#include "relay/shared_state.hpp"
#include "relay/worker.hpp"

namespace hallpass::relay {

ServerAdmin::ServerAdmin(SharedState& shared, std::vector<Worker*> workers, ConfigReloader& reloader, Drain& drain)
    : shared_(shared), workers_(std::move(workers)), reloader_(reloader), drain_(drain) {}

bool ServerAdmin::ready() { return !drain_.active(); }

boost::json::object ServerAdmin::drain() {
    const bool started = drain_.start(std::chrono::seconds(shared_.snapshot()->config().drain_timeout));
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(drain_.deadline() - std::chrono::steady_clock::now());
    return {{"draining", true},
            {"started_now", started},
            {"allocations", allocations_now(workers_)},
            {"seconds_left", std::max<std::int64_t>(left.count(), 0)}};
}

std::string ServerAdmin::metrics() {
    MetricsInput in;
    for (const Worker* w : workers_) {
        in.turn.push_back(&w->turn_counters());
        in.streams.push_back(&w->stream_counters());
        in.engines.push_back(w->engine_drops());
    }
    in.engine = workers_.front()->engine_name();
    in.stream_connections = shared_.stream_connections();
    in.draining = drain_.active();
    in.config_generation = shared_.snapshot()->generation();
    in.last_reload_seconds = reloader_.last_attempt();
    in.last_reload_ok = reloader_.last_applied();
    in.process = read_process_stats();
    return prometheus_text(in);
}

boost::json::object ServerAdmin::info() {
    boost::json::object by_transport;
    std::uint64_t total = 0;
    for (auto t : {alloc::Transport::udp, alloc::Transport::tcp, alloc::Transport::tls}) {
        std::uint64_t n = 0;
        for (const Worker* w : workers_) n += w->turn_counters().held(t);
        by_transport[turn::name_of(t)] = n;
        total += n;
    }
    const auto snapshot = shared_.snapshot();
    return {{"version", HALLPASS_VERSION},
            {"uptime_seconds", std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count()},
            {"engine", workers_.front()->engine_name()},
            {"workers", workers_.size()},
            {"config_file", snapshot->config().source},
            {"config_generation", snapshot->generation()},
            {"draining", drain_.active()},
            {"allocations", total},
            {"allocations_by_transport", std::move(by_transport)},
            {"stream_connections", shared_.stream_connections()}};
}

ReloadReport ServerAdmin::reload() { return reloader_.reload(); }

namespace {

// A worker answers at its next loop turn; one that does not within this is left out.
constexpr std::chrono::seconds worker_answer_limit{2};

template <class T>
std::optional<T> answer_of(std::future<T>& f) {
    if (f.wait_for(worker_answer_limit) != std::future_status::ready) return std::nullopt;
    return f.get();
}

boost::json::object to_json(const SessionInfo& s) {
    return {{"id", s.id.to_string()},
            {"user", s.user},
            {"transport", turn::name_of(s.transport)},
            {"client", s.client.to_string()},
            {"relay", s.relay.to_string()},
            {"age_seconds", s.age_seconds},
            {"bytes_to_peers", s.bytes_to_peers},
            {"bytes_to_client", s.bytes_to_client},
            {"permissions", s.permissions},
            {"channels", s.channels}};
}

}  // namespace

boost::json::array ServerAdmin::sessions(const std::string& user) {
    std::vector<std::future<std::vector<SessionInfo>>> pending;
    for (Worker* w : workers_) pending.push_back(w->sessions(user));
    boost::json::array out;
    for (auto& f : pending)
        if (auto list = answer_of(f))
            for (const auto& s : *list) out.push_back(to_json(s));
    return out;
}

std::optional<std::size_t> ServerAdmin::disconnect_session(const std::string& id) {
    const auto parsed = SessionId::parse(id);
    if (!parsed || parsed->worker >= workers_.size()) return std::nullopt;
    auto f = workers_[parsed->worker]->disconnect(parsed->allocation, {});
    const auto ended = answer_of(f).value_or(0);
    if (ended) spdlog::info("admin: disconnected session {}", id);
    return ended;
}

std::size_t ServerAdmin::disconnect_user(const std::string& user) {
    std::vector<std::future<std::size_t>> pending;
    for (Worker* w : workers_) pending.push_back(w->disconnect(std::nullopt, user));
    std::size_t ended = 0;
    for (auto& f : pending) ended += answer_of(f).value_or(0);
    spdlog::info("admin: disconnected user={} allocations={}", log_field(user), ended);
    return ended;
}

std::string ServerAdmin::token() { return shared_.snapshot()->config().admin.token; }
bool ServerAdmin::open_metrics() { return shared_.snapshot()->config().admin.open_metrics; }

}  // namespace hallpass::relay
