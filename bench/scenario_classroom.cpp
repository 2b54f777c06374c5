// classroom: C classrooms of 30 students. Each student has two allocations:
//   audio  — 50 packets/s of 160 B up (student -> media server, through the relay) and
//            50 packets/s of 160 B down (media server -> student's relayed address);
//   video  — the teacher's video, ~1.5 Mbit/s down: 30 frames/s, each a burst of 5 or 6
//            packets of 1,100 B sent back to back (170 packets/s) from the media server
//            to the student's second relayed address, as a media server forwards a frame.
// The media server is a few bench-run UDP sockets (on loopback unless --peer-address); each allocation binds a
// channel to its media socket (which also installs the permission). Every stream's packets
// (video: frames) are paced evenly (pacer.hpp). Reported per stream type: loss, one-way latency (sender timestamp to
// arrival, one clock) and RFC 3550 jitter, and whether any single stream lost a packet.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <optional>
#include <thread>
#include <array>
#include <memory>
#include <vector>

#include "bench/allocation_setup.hpp"
#include "bench/clock.hpp"
#include "bench/proc_status.hpp"
#include "bench/pacer.hpp"
#include "bench/payload.hpp"
#include "bench/peer_socket.hpp"
#include "bench/scenario.hpp"
#include "bench/socket_util.hpp"

namespace hallpass::bench {
namespace {

constexpr std::uint32_t students_per_class = 30;
constexpr std::uint32_t max_media_sockets = 8;
constexpr std::int64_t grace_ns = 1'000'000'000;
constexpr int max_catch_up = 4096;

enum StreamType : std::uint32_t { audio_up = 0, audio_down = 1, video_down = 2, stream_types = 3 };

struct TypeSpec {
    const char* name;
    std::uint32_t packets_per_second;
    std::uint32_t bytes;
    std::uint32_t frames_per_second;  // 0: every packet on its own
    double sends_per_second() const { return frames_per_second ? frames_per_second : packets_per_second; }
    // Packets in frame f: spread so that each second holds exactly packets_per_second.
    std::uint32_t packets_in(std::uint64_t f) const {
        if (!frames_per_second) return 1;
        return static_cast<std::uint32_t>((f + 1) * packets_per_second / frames_per_second -
                                          f * packets_per_second / frames_per_second);
    }
};
constexpr std::array<TypeSpec, stream_types> specs{{
    {"audio_up", 50, 160, 0},
    {"audio_down", 50, 160, 0},
    {"video_down", 170, 1100, 30},  // 170 x 1100 B x 8 = 1.50 Mbit/s
}};

struct Stream {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t sequence = 0;
    std::uint64_t frames = 0;
    JitterEstimator jitter;
};

class Classroom final : public Sink {
public:
    // `first_session`: where this thread's session numbers start (--threads), so that every
    // session of the run has a TURN REST user of its own.
    Classroom(Context& c, std::uint32_t classrooms, std::uint32_t first_session = 0)
        : c_(c), students_(classrooms * students_per_class),
          sessions_(make_sessions(c, 2 * students_, first_session,
                                  [&](std::uint32_t i) { return endpoint_of((i - first_session) % students_); })),
          streams_(stream_types * students_), latency_(stream_types), payload_(1100, 0x33) {
        const std::uint32_t m = std::min(max_media_sockets, classrooms);
        for (std::uint32_t i = 0; i < m; ++i) {
            media_.push_back(std::make_unique<PeerSocket>(c.loop, peer_bind_address(c.options)));
            media_.back()->set_receiver(
                [this](std::span<const std::uint8_t> p, std::int64_t now) { arrived(p, now); });
        }
        for (auto& s : sessions_) s->set_sink(this);
    }

    // Allocations and channels for every student; throws BenchError when one fails (call
    // release() then: the others hold allocations on the server).
    void set_up() {
        allocate_and_bind(c_, sessions_, [&](std::uint32_t i) { return media_of(i % students_).address(); });
        for (std::uint32_t k = 0; k < students_; ++k) {
            audio_relayed_.push_back(to_socket_address(sessions_[k]->relayed()));
            video_relayed_.push_back(to_socket_address(sessions_[students_ + k]->relayed()));
        }
    }

    void on_data(Session&, std::span<const std::uint8_t> payload, std::int64_t now_ns) override {
        arrived(payload, now_ns);
    }

    Report run() {
        const std::int64_t start = now_ns();
        const std::int64_t end = start + static_cast<std::int64_t>(c_.options.duration_s * 1e9);
        until_ = end + grace_ns;
        std::array<Pacer, stream_types> pacers;
        for (std::uint32_t t = 0; t < stream_types; ++t)
            pacers[t] = Pacer(start, specs[t].sends_per_second() * students_, students_);
        const CpuSample cpu_from = cpu_sample();
        const CpuSample thread_from = cpu_sample(true);
        ProcessCpu server_cpu(c_.options.server_pid);
        server_cpu.start(cpu_from.wall_ns);
        for (std::int64_t now = start; now < until_; now = now_ns()) {
            std::int64_t wake = until_;
            if (now < end) {
                for (std::uint32_t t = 0; t < stream_types; ++t) {
                    for (int k = 0; k < max_catch_up && pacers[t].due(now); ++k) send(static_cast<StreamType>(t), pacers[t].take(), now);
                    wake = std::min(wake, pacers[t].next_due_ns());
                }
                for (auto& m : media_) m->flush();
            }
            c_.loop.run_once(std::clamp<std::int64_t>(wake - now_ns(), 0, 5'000'000));
            if (c_.progress.due(now)) c_.progress.show(now, progress_text(now - start, now >= end));
        }
        const CpuSample cpu_to = cpu_sample();
        const CpuSample thread_to = cpu_sample(true);
        const auto server_cpu_percent = server_cpu.percent(cpu_to.wall_ns);
        const auto server_thread_max = server_cpu.busiest_thread_percent(cpu_to.wall_ns);
        const auto server_rss = c_.options.server_pid ? read_vm_rss(*c_.options.server_pid) : std::nullopt;
        release();
        Report r = report({this});
        r.server_cpu_percent = server_cpu_percent;
        r.server_rss_bytes = server_rss;
        r.server_thread_cpu_max_percent = server_thread_max;
        r.bench_thread_cpu_max_percent =
            cpu_percent(thread_to.user_us - thread_from.user_us, thread_to.system_us - thread_from.system_us,
                        (thread_to.wall_ns - thread_from.wall_ns) / 1000);
        r.duration_s = static_cast<double>(end - start) / 1e9;
        r.bench_cpu_percent = cpu_percent(cpu_to.user_us - cpu_from.user_us, cpu_to.system_us - cpu_from.system_us,
                                          (cpu_to.wall_ns - cpu_from.wall_ns) / 1000);
        return r;
    }

    void release() { release_all(c_, sessions_); }
    // Closes the sessions and the media sockets, keeping the figures (--threads: the
    // sockets must go before the thread's event loop does).
    void close_sockets() {
        sessions_.clear();
        media_.clear();
    }

private:
    // The student's transport (--mix) decides the server address: TLS may have its own.
    Endpoint endpoint_of(std::uint32_t student) const {
        const Transport t = student_transport(c_.options, student, students_);
        const auto& o = c_.options;
        return {t == Transport::tls && o.tls_server ? *o.tls_server : o.server, t, c_.endpoint.tls};
    }

    PeerSocket& media_of(std::uint32_t student) { return *media_[student % media_.size()]; }

    // One packet, or one video frame's packets back to back.
    void send(StreamType type, std::uint32_t student, std::int64_t now) {
        const std::uint32_t id = type * students_ + student;
        Stream& s = streams_[id];
        const std::span<std::uint8_t> payload(payload_.data(), specs[type].bytes);
        for (std::uint32_t n = specs[type].packets_in(s.frames++); n > 0; --n) {
            write_probe(payload, Probe{ProbeKind::media, id, s.sequence++, now});
            ++s.sent;
            switch (type) {
                case audio_up: sessions_[student]->send_channel_data(payload); break;
                case audio_down: media_of(student).queue(audio_relayed_[student], payload); break;
                case video_down: media_of(student).queue(video_relayed_[student], payload); break;
                default: break;
            }
        }
    }

    void arrived(std::span<const std::uint8_t> payload, std::int64_t now) {
        const auto probe = read_probe(payload);
        if (!probe || probe->kind != ProbeKind::media || probe->stream >= streams_.size() || now >= until_) return;
        Stream& s = streams_[probe->stream];
        ++s.received;
        s.jitter.on_packet(probe->sent_ns, now);
        latency_[probe->stream / students_].record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - probe->sent_ns)));
    }

    std::string progress_text(std::int64_t elapsed, bool grace) const {
        std::uint64_t sent = 0, received = 0;
        for (const auto& s : streams_) sent += s.sent, received += s.received;
        return "classroom " + std::to_string(elapsed / 1000000000) + "s " + std::to_string(students_) +
               " students, sent " + std::to_string(sent) + " received " + std::to_string(received) +
               (grace ? " (grace period)" : "");
    }

public:
    // The figures of one or more classrooms run side by side (--threads), stream by stream.
    static Report report(const std::vector<const Classroom*>& rooms) {
        Report r;
        std::uint64_t sent_all = 0, received_all = 0;
        bool any_lost = false;
        for (const Classroom* room : rooms) r.allocations += 2 * room->students_;
        for (std::uint32_t t = 0; t < stream_types; ++t) {
            StreamReport sr;
            sr.name = specs[t].name;
            double jitter_sum = 0;
            Histogram latency;
            for (const Classroom* room : rooms) {
                sr.streams += room->students_;
                for (std::uint32_t k = 0; k < room->students_; ++k) {
                    const Stream& s = room->streams_[t * room->students_ + k];
                    sr.sent += s.sent;
                    sr.received += s.received;
                    if (s.received < s.sent) ++sr.streams_with_loss;
                    const double j = s.jitter.jitter_ns() / 1e6;
                    jitter_sum += j;
                    sr.jitter_max_ms = std::max(sr.jitter_max_ms, j);
                }
                latency.merge(room->latency_[t]);
            }
            sr.jitter_mean_ms = sr.streams ? jitter_sum / sr.streams : 0;
            sr.loss_ratio = loss_ratio(sr.sent, sr.received);
            sr.latency = summarize(latency);
            any_lost = any_lost || sr.streams_with_loss > 0;
            sent_all += sr.sent;
            received_all += sr.received;
            r.streams.push_back(std::move(sr));
        }
        r.sent = sent_all;
        r.received = received_all;
        r.loss_ratio = loss_ratio(sent_all, received_all);
        r.any_stream_lost = any_lost;
        return r;
    }

private:
    Context& c_;
    std::uint32_t students_;
    Sessions sessions_;  // [0, S): audio, [S, 2S): video
    std::vector<std::unique_ptr<PeerSocket>> media_;
    std::vector<SocketAddress> audio_relayed_;
    std::vector<SocketAddress> video_relayed_;
    std::vector<Stream> streams_;     // id = type * S + student
    std::vector<Histogram> latency_;  // per type, ns
    std::vector<std::uint8_t> payload_;
    std::int64_t until_ = 0;
};

Report run_one_thread(Context& c, std::uint32_t classrooms) {
    Classroom room(c, classrooms);
    try {
        room.set_up();
    } catch (...) {
        room.release();
        throw;
    }
    return room.run();
}

// --threads T: the classrooms split over T threads, each with its own event loop, sockets
// and media server, set up in parallel and started together once all are ready. Thread 0
// draws the progress line; its interval gives the CPU figures (the bench's is the whole
// process, so with T threads it may pass 100 % of one core).
Report run_threads(Context& c, std::uint32_t classrooms, std::uint32_t threads) {
    struct Part {
        std::uint32_t classrooms = 0;
        std::uint32_t first_session = 0;
        std::unique_ptr<Classroom> room;
        std::optional<Report> report;
        std::string failure;
        bool bench_error = true;  // a BenchError (the server's answer), else the bench's own failure
    };
    std::vector<Part> parts(threads);
    for (std::uint32_t t = 0, first = 0; t < threads; ++t) {
        parts[t].classrooms = classrooms / threads + (t < classrooms % threads ? 1 : 0);
        parts[t].first_session = first;
        first += parts[t].classrooms * students_per_class * 2;
    }
    std::barrier ready(static_cast<std::ptrdiff_t>(threads));
    std::atomic<bool> failed{false};
    // Never throws: a failure is kept in its part, and every thread reaches the barrier once.
    auto work = [&](std::uint32_t t) {
        Part& part = parts[t];
        const auto keep = [&](const std::exception& e, bool bench_error) {
            part.failure = e.what();
            part.bench_error = bench_error;
            failed = true;
        };
        std::optional<EventLoop> loop;
        Progress quiet(false);
        std::optional<Context> mine;
        try {
            loop.emplace();
            mine.emplace(Context{c.options, *loop, c.endpoint, t == 0 ? c.progress : quiet,
                                 c.seed + t * 0x9E3779B97F4A7C15ull});
            part.room = std::make_unique<Classroom>(*mine, part.classrooms, part.first_session);
            part.room->set_up();
        } catch (const BenchError& e) {
            keep(e, true);
        } catch (const std::exception& e) {
            keep(e, false);
        }
        ready.arrive_and_wait();
        try {
            if (!failed) part.report = part.room->run();
            else if (part.room) part.room->release();
        } catch (const std::exception& e) {
            keep(e, false);
        }
        // The figures stay; the sockets go while their loop still exists.
        if (part.room) part.room->close_sockets();
    };
    std::vector<std::thread> pool;
    for (std::uint32_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
    for (const auto& part : parts) {
        if (part.failure.empty()) continue;
        if (part.bench_error) throw BenchError(part.failure);
        throw std::runtime_error(part.failure);
    }
    std::vector<const Classroom*> rooms;
    for (const auto& part : parts)
        if (!part.report) throw std::runtime_error("a bench thread ended without figures");
    for (const auto& part : parts) rooms.push_back(part.room.get());
    Report r = Classroom::report(rooms);
    const Report& first = *parts[0].report;
    r.duration_s = first.duration_s;
    r.bench_cpu_percent = first.bench_cpu_percent;
    r.server_cpu_percent = first.server_cpu_percent;
    r.server_rss_bytes = first.server_rss_bytes;
    r.server_thread_cpu_max_percent = first.server_thread_cpu_max_percent;
    for (const auto& part : parts)
        r.bench_thread_cpu_max_percent =
            std::max(r.bench_thread_cpu_max_percent.value_or(0), part.report->bench_thread_cpu_max_percent.value_or(0));
    return r;
}

}  // namespace

Report run_classroom(Context& c, std::uint32_t classrooms) {
    const std::uint32_t threads = std::min(c.options.threads, classrooms);
    return threads <= 1 ? run_one_thread(c, classrooms) : run_threads(c, classrooms, threads);
}

Report run_classroom(Context& c) { return run_classroom(c, c.options.classrooms); }

}  // namespace hallpass::bench
