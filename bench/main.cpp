// hallpass-bench: a load generator for any TURN server (hallpass, coturn). Set-up in a
// fixed order — options, file limit, TLS context, event loop — then one scenario, then the
// report. Exit status: 0 done, 1 bad command line, 2 the run could not go on.
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string_view>
#include <vector>

#include "bench/clock.hpp"
#include "bench/options.hpp"
#include "bench/scenario.hpp"
#include "bench/socket_util.hpp"
#include "bench/tls_client.hpp"

using namespace hallpass::bench;

namespace {

Report run(Context& c) {
    switch (c.options.scenario) {
        case Scenario::saturate: return run_saturate(c);
        case Scenario::latency: return run_latency(c);
        case Scenario::burst: return run_burst(c);
        case Scenario::memory: return run_memory(c);
        case Scenario::classroom: return run_classroom(c);
        case Scenario::capacity: break;  // prints its own forms (run_capacity)
    }
    return {};
}

// Sockets the scenario needs: one per allocation, plus peers and a margin.
std::uint64_t sockets_needed(const Options& o) { return o.allocations + 64; }

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.size() == 1 && args[0] == "--version") {
        std::puts("hallpass-bench " HALLPASS_VERSION);
        return 0;
    }
    auto parsed = parse_options(args);
    if (auto* error = std::get_if<std::string>(&parsed)) {
        if (*error == "help") {
            std::fputs(usage().data(), stdout);
            return 0;
        }
        std::fprintf(stderr, "hallpass-bench: %s\n%s", error->c_str(), usage().data());
        return 1;
    }
    const Options& options = std::get<Options>(parsed);
    const std::uint64_t files = raise_file_limit();
    if (files < sockets_needed(options)) {
        std::fprintf(stderr, "hallpass-bench: %llu allocations need about %llu open files, the limit is %llu "
                     "(raise the hard limit: ulimit -Hn)\n",
                     static_cast<unsigned long long>(options.allocations),
                     static_cast<unsigned long long>(sockets_needed(options)), static_cast<unsigned long long>(files));
        return 2;
    }
    try {
        TlsContext tls;
        if (options.transport == Transport::tls || (options.mix && (*options.mix)[2] > 0))
            tls = make_tls_client_context();
        EventLoop loop;
        Progress progress(!options.quiet && ::isatty(STDERR_FILENO));
        Context context{options, loop, Endpoint{options.server, options.transport, tls.get()}, progress,
                        std::random_device{}() * 0x100000001B3ull + static_cast<std::uint64_t>(now_ns())};
        if (options.scenario == Scenario::capacity) {
            const std::string text = run_capacity(context);
            progress.finish();
            std::fputs(text.c_str(), stdout);
            return 0;
        }
        Report report = run(context);
        progress.finish();
        report.scenario = std::string(name_of(options.scenario));
        report.transport = std::string(name_of(options.transport));
        const std::string text = options.json ? to_json(report) : to_table(report);
        std::fputs(text.c_str(), stdout);
        return 0;
    } catch (const BenchError& e) {
        std::fprintf(stderr, "\nhallpass-bench: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "\nhallpass-bench: %s\n", e.what());
        return 2;
    }
}
