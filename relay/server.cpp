#include "relay/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>

#include "relay/admin/admin_listener.hpp"
#include "relay/admin/server_admin.hpp"
#include "relay/config_reload.hpp"
#include "relay/drain.hpp"
#include "relay/file_watch.hpp"
#include "relay/service_notifier.hpp"
#include "relay/ice_server.hpp"
#include "relay/relay_range_check.hpp"
#include "relay/datagram_io.hpp"
#include "relay/logging.hpp"
#include "relay/privileges.hpp"
#include "relay/tls_context.hpp"
#include "relay/shared_state.hpp"
#include "relay/udp_socket.hpp"
#include "relay/worker.hpp"

namespace hallpass::relay {
namespace {

unsigned worker_count(const config::Config& c) {
    if (c.workers > 0) return c.workers;
    return std::max(1u, std::thread::hardware_concurrency());
}

bool is_loopback(const IpAddress& ip) { return ip.is_v4() ? ip.bytes[0] == 127 : ip == *IpAddress::parse("::1"); }

bool all_loopback(const config::Config& c) {
    for (const auto& a : c.listen.udp)
        if (!is_loopback(a.ip)) return false;
    for (const auto& l : c.listen.tcp)
        if (!is_loopback(l.address.ip)) return false;
    for (const auto& l : c.listen.tls)
        if (!is_loopback(l.address.ip)) return false;
    return true;
}

// Every allocation holds a relay socket and every TCP/TLS client a connection: the
// common soft limit of 1024 descriptors would cap a server at a few hundred students.
// Returns the limit in force afterwards.
std::uint64_t raise_descriptor_limit() {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return 1024;
    if (r.rlim_cur != r.rlim_max) {
        rlimit raised = r;
        raised.rlim_cur = r.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) r = raised;
    }
    if (r.rlim_cur < 65536)
        spdlog::warn("open file limit is {}: each allocation needs a descriptor (raise LimitNOFILE)",
                     r.rlim_cur);
    return r.rlim_cur == RLIM_INFINITY ? UINT64_MAX : r.rlim_cur;
}

// The total allocation limit in force, and why; a limit of nothing stops the start.
void log_allocation_limit(const SharedState& shared, const config::Config& c) {
    const auto limit = shared.allocation_limit();
    if (limit.value == 0)
        throw std::runtime_error("limits.allocations_total: the open file limit leaves no room for a "
                                 "single allocation (raise LimitNOFILE, or lower limits.connections_total)");
    if (c.limits.allocations_total) {
        spdlog::info("limits: allocations_total={} allocations_per_user={}", limit.value,
                     c.limits.allocations_per_user);
        return;
    }
    spdlog::info("limits: allocations_total=auto ({}, bound by the {}) allocations_per_user={}", limit.value,
                 limit.bound == alloc::AllocationLimit::Bound::open_files ? "open file limit" : "relay addresses",
                 c.limits.allocations_per_user);
    if (limit.files_short)
        spdlog::warn("limits.connections_total ({}) allows as many connections as there are open files: "
                     "allocations get half of them; raise LimitNOFILE or lower connections_total",
                     c.limits.connections_total == 0 ? std::string("unlimited")
                                                     : std::to_string(c.limits.connections_total));
}

// Dropping root is the operator's choice, but running a network service as root by
// accident is worth a word.
void warn_if_root(const config::Config& c) {
    if (::geteuid() == 0 && c.user.empty())
        spdlog::warn("running as root with no `user:` set: set user: (and group:) to drop root "
                     "once the listeners are bound");
}

void make_tls(SharedState& shared, const config::Config& c) {
    if (c.listen.tls.empty()) return;
    shared.set_tls(std::make_unique<TlsContextStore>(
        TlsFiles{c.tls.certificate, c.tls.private_key, c.tls.self_signed}));
}

void log_summary(const config::Config& c, unsigned workers, std::string_view engine) {
    spdlog::info("hallpass {} starting: config={} realm={} workers={} io_engine={}", HALLPASS_VERSION,
                 c.source, c.realm, workers, engine);
    for (const auto& a : c.listen.udp) spdlog::info("listening udp {}", a.to_string());
    for (const auto& l : c.listen.tcp)
        spdlog::info("listening tcp {}{}", l.address.to_string(), l.proxy_protocol ? " (PROXY protocol)" : "");
    for (const auto& l : c.listen.tls)
        spdlog::info("listening tls {}{}", l.address.to_string(), l.proxy_protocol ? " (PROXY protocol)" : "");
    for (const auto& r : c.relay.ranges)
        spdlog::info("relay range {} ports {}-{}", r.to_string(), c.relay.ports.min, c.relay.ports.max);
    spdlog::info("auth: {} user(s), {} shared secret(s){}; peers allowed beyond the default deny list: {}",
                 c.auth.users.size(), c.auth.secrets.size(),
                 c.auth.secrets_file.empty() ? "" : " (some from " + c.auth.secrets_file + ")", c.peers.allow.size());
    // The Debian package's config starts on loopback so that an install exposes nothing
    // before the operator has looked at it; the log says what to change.
    if (all_loopback(c))
        spdlog::warn("every listener is on loopback: only this machine can reach hallpass; to serve "
                     "students, set listen, relay.ranges and tls in {}", c.source);
    // Where to send a school that cannot join: the name is the one on the certificate.
    if (c.check.enabled && !c.listen.tls.empty()) {
        const auto port = c.listen.tls.front().address.port;
        const bool v6 = c.server_name.find(':') != std::string::npos;
        spdlog::info("school network check: https://{}{}{}{}/", v6 ? "[" : "", c.server_name, v6 ? "]" : "",
                     port == 443 ? "" : ":" + std::to_string(port));
    }
}

// On a one-machine trial the operator wants to paste something into a browser at once.
// Only with the bundled development secret, which is public anyway: a credential minted
// from a real secret does not belong in a log. Short-lived, as the log may be kept.
void log_browser_hint(const config::Config& c) {
    constexpr std::int64_t hint_ttl = 3600;
    const bool development = !c.auth.secrets.empty() && c.auth.secrets.front() == config::development_secret;
    if (!development || !all_loopback(c)) return;
    IceServerRequest r{turn_urls(c), c.auth.secrets.front(), "demo", hint_ttl,
                       std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count()};
    std::string json = ice_server_json(r);
    std::erase(json, '\n');
    spdlog::info("try it: new RTCPeerConnection({{iceServers: [{}], iceTransportPolicy: 'relay'}})", json);
}

std::vector<std::unique_ptr<Worker>> make_workers_with(SharedState& shared, unsigned n, EngineKind engine) {
    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned i = 0; i < n; ++i) workers.push_back(make_worker(i, shared, engine));
    return workers;
}

// io_engine: auto tries io_uring and falls back to epoll with one line saying why;
// io_uring insists, so a refusal stops the start.
std::vector<std::unique_ptr<Worker>> make_workers(SharedState& shared, unsigned n) {
    const auto wanted = shared.snapshot()->config().io_engine;
    if (wanted == config::IoEngine::epoll) return make_workers_with(shared, n, EngineKind::epoll);
    try {
        return make_workers_with(shared, n, EngineKind::io_uring);
    } catch (const EngineUnavailable& e) {
        if (wanted == config::IoEngine::io_uring)
            throw std::runtime_error("io_engine: io_uring cannot be used here: " + std::string(e.what()));
        spdlog::warn("io_uring unavailable, using epoll: {}", e.what());
    }
    return make_workers_with(shared, n, EngineKind::epoll);
}

}  // namespace

std::vector<std::string> turn_urls(const config::Config& c) {
    std::vector<std::string> urls;
    const std::string host =
        c.server_name.find(':') != std::string::npos ? "[" + c.server_name + "]" : c.server_name;
    for (const auto& a : c.listen.udp) urls.push_back("turn:" + host + ":" + std::to_string(a.port) + "?transport=udp");
    for (const auto& l : c.listen.tcp)
        if (!l.proxy_protocol)
            urls.push_back("turn:" + host + ":" + std::to_string(l.address.port) + "?transport=tcp");
    for (const auto& l : c.listen.tls)
        urls.push_back("turns:" + host + ":" + std::to_string(l.address.port) + "?transport=tcp");
    return urls;
}

int serve(const config::Config& config, ConfigSource source) {
    setup_logging(config.log);
    // A write to a connection the client has reset must fail with EPIPE, not end the
    // process: OpenSSL writes TLS records with write(), which has no MSG_NOSIGNAL.
    ::signal(SIGPIPE, SIG_IGN);
    const std::uint64_t open_files = raise_descriptor_limit();
    const ProcessKeys keys = ProcessKeys::random();
    SharedState shared(std::make_shared<const RuntimeSnapshot>(config, keys, 1), open_files);
    log_allocation_limit(shared, config);
    check_relay_ranges(config);
    make_tls(shared, config);
    const unsigned n = worker_count(config);
    auto workers = make_workers(shared, n);
    log_summary(config, n, workers.front()->engine_name());
    if (shared.tls()) spdlog::info("tls certificate: {}", shared.tls()->certificate_summary());
    std::vector<Worker*> worker_list;
    for (auto& w : workers) worker_list.push_back(w.get());
    const std::string config_path = source.path;
    ConfigReloader reloader(std::move(source), shared, keys, worker_list);
    // The control thread: signals and the admin API, one at a time.
    boost::asio::io_context control;
    // SIGTERM, SIGINT and the end of a drain: every allocation ends and the process exits 0.
    ServiceNotifier notifier(control, worker_list);
    // Its handler reaches admin_backend, made below, only once requests come (after start()).
    ServerAdmin* backend = nullptr;
    AdminListener admin(control, [&backend](const HttpRequest& r) { return handle_admin_request(r, *backend); });
    reloader.set_notifier(&notifier);
    // watch_files: a change on disk reloads as SIGHUP does; each reload re-reads which files.
    FileWatch file_watch(control, std::chrono::seconds(1), [&reloader] { reloader.reload(); });
    const auto files_of = [&config_path](const config::Config& c) {
        if (!c.watch_files) return std::vector<std::string>{};
        const bool tls = !c.listen.tls.empty();
        return watched_files({config_path, c.auth.secrets_file, c.admin.token_file, tls ? c.tls.certificate : "",
                              tls ? c.tls.private_key : ""});
    };
    file_watch.watch(files_of(config));
    reloader.add_step([&file_watch, files_of](const config::Config&, const config::Config& next) {
        return std::function<void()>([&file_watch, files = files_of(next)] { file_watch.watch(files); });
    });
    std::function<void()> stop = [&] {
        notifier.stopping();
        file_watch.stop();
        admin.stop();
        for (auto& w : workers) w->stop();
    };
    boost::asio::signal_set signals(control, SIGINT, SIGTERM, SIGHUP);
    signals.add(SIGUSR1);
    Drain drain(control, worker_list, [&] {
        signals.cancel();
        stop();
    });
    ServerAdmin admin_backend(shared, worker_list, reloader, drain);
    backend = &admin_backend;
    admin.open(config.admin);
    reloader.add_step(admin.reload_step());
    warn_if_root(config);
    drop_privileges(config.user, config.group);

    std::vector<std::thread> threads;
    for (auto& w : workers) threads.emplace_back([&w] { w->run(); });

    std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP || signal == SIGUSR1) {
            if (signal == SIGHUP) reloader.reload();
            else drain.start(std::chrono::seconds(shared.snapshot()->config().drain_timeout));
            signals.async_wait(on_signal);
            return;
        }
        spdlog::info("signal {}: stopping", signal);
        signals.cancel();
        drain.cancel();
        stop();
    };
    signals.async_wait(on_signal);
    admin.start();
    log_browser_hint(config);
    spdlog::info("hallpass ready");
    notifier.ready();
    notifier.start();
    control.run();
    for (auto& t : threads) t.join();
    spdlog::info("hallpass stopped");
    return 0;
}

}  // namespace hallpass::relay
