// hallpass-forwarder: the ceiling a user-space UDP relay can reach on this machine, for
// bench/compare. It moves each relayed datagram over the same two hops as a TURN server —
// client → listener, relay socket → peer; peer → relay socket, listener → client — with
// recvmmsg/sendmmsg batches on one epoll loop, and does no TURN work beyond what lets the
// unchanged bench set up: Allocate, CreatePermission, ChannelBind and Refresh are answered
// with canned successes (no authentication, no lifetimes, no permission checks), and data
// is ChannelData looked up in flat tables. Loopback only; it stops after --seconds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "stun/attributes.hpp"
#include "stun/message_builder.hpp"
#include "stun/message_view.hpp"
#include "turn/channel_data.hpp"

namespace {

using namespace hallpass;

constexpr std::size_t batch = 64;
constexpr std::size_t headroom = 4;
constexpr std::size_t capacity = 2048;

struct Relay {
    int fd = -1;
    sockaddr_in client{};                            // where ChannelData goes back to
    std::unordered_map<std::uint16_t, sockaddr_in> peer_of;   // channel → peer
    std::unordered_map<std::uint64_t, std::uint16_t> channel_of;  // peer → channel
};

std::uint64_t key(const sockaddr_in& a) {
    return (std::uint64_t(a.sin_addr.s_addr) << 16) | a.sin_port;
}

TransportAddress address_of(const sockaddr_in& a) {
    return {IpAddress::v4(ntohl(a.sin_addr.s_addr)), ntohs(a.sin_port)};
}

sockaddr_in sockaddr_of(const TransportAddress& a) {
    sockaddr_in s{};
    s.sin_family = AF_INET;
    s.sin_port = htons(a.port);
    std::memcpy(&s.sin_addr, a.ip.bytes.data(), 4);
    return s;
}

int udp_socket(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int size = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        std::perror("bind");
        std::exit(1);
    }
    return fd;
}

class Forwarder {
public:
    explicit Forwarder(std::uint16_t port) : epoll_(::epoll_create1(EPOLL_CLOEXEC)), listener_(udp_socket(port)) {
        watch(listener_, 0);
        buffers_.resize(batch);
    }

    void run(std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        std::array<epoll_event, 256> events;
        while (std::chrono::steady_clock::now() < deadline) {
            const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 200);
            for (int i = 0; i < n; ++i) drain(static_cast<std::uint32_t>(events[i].data.u32));
        }
    }

private:
    void watch(int fd, std::uint32_t tag) {
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.u32 = tag;
        ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &e);
    }

    // tag 0: the listener; tag i > 0: relay i - 1.
    void drain(std::uint32_t tag) {
        const int fd = tag == 0 ? listener_ : relays_[tag - 1].fd;
        for (int round = 0; round < 8; ++round) {
            const int n = receive(fd);
            if (n <= 0) return;
            for (int i = 0; i < n; ++i) {
                auto* data = buffers_[i].data() + headroom;
                const std::size_t len = headers_[i].msg_len;
                if (tag == 0) from_client(data, len, from_[i]);
                else from_peer(relays_[tag - 1], data, len, from_[i]);
            }
            flush();
            if (static_cast<std::size_t>(n) < batch) return;
        }
    }

    int receive(int fd) {
        for (std::size_t i = 0; i < batch; ++i) {
            iov_[i] = {buffers_[i].data() + headroom, capacity};
            headers_[i] = {};
            headers_[i].msg_hdr.msg_iov = &iov_[i];
            headers_[i].msg_hdr.msg_iovlen = 1;
            headers_[i].msg_hdr.msg_name = &from_[i];
            headers_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
        }
        return ::recvmmsg(fd, headers_.data(), batch, MSG_DONTWAIT, nullptr);
    }

    void from_client(std::uint8_t* data, std::size_t len, const sockaddr_in& from) {
        if (len >= 4 && turn::looks_like_channel_data(data[0])) {
            auto it = relay_by_client_.find(key(from));
            if (it == relay_by_client_.end()) return;
            Relay& r = relays_[it->second];
            const std::uint16_t channel = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
            auto peer = r.peer_of.find(channel);
            if (peer == r.peer_of.end()) return;
            const std::size_t payload = static_cast<std::size_t>((data[2] << 8) | data[3]);
            if (payload + 4 > len) return;
            queue(r.fd, data + 4, payload, peer->second);
            return;
        }
        answer_request(data, len, from);
    }

    void from_peer(Relay& r, std::uint8_t* data, std::size_t len, const sockaddr_in& from) {
        auto it = r.channel_of.find(key(from));
        if (it == r.channel_of.end()) return;
        turn::write_channel_data_header(data - 4, it->second, static_cast<std::uint16_t>(len));
        queue(listener_, data - 4, len + 4, r.client);
    }

    // The canned control path: every request succeeds, as the bench needs to set up.
    void answer_request(const std::uint8_t* data, std::size_t len, const sockaddr_in& from) {
        auto m = stun::MessageView::parse({data, len});
        if (!m || m->message_class() != stun::MessageClass::request) return;
        std::array<std::uint8_t, 256> out{};
        stun::MessageBuilder b(out, m->method(), stun::MessageClass::success, m->transaction_id());
        const auto method = static_cast<stun::Method>(m->method());
        if (method == stun::Method::allocate) allocate(b, from);
        Relay* r = relay_for(from);
        if (r && (method == stun::Method::channel_bind)) bind(*r, *m);
        if (method == stun::Method::refresh) b.add(stun::Lifetime{600});
        flush();
        ::sendto(listener_, b.bytes().data(), b.bytes().size(), 0, reinterpret_cast<const sockaddr*>(&from),
                 sizeof from);
    }

    void allocate(stun::MessageBuilder& b, const sockaddr_in& from) {
        Relay* r = relay_for(from);
        if (!r) {
            relays_.push_back({});
            r = &relays_.back();
            r->fd = udp_socket(0);
            r->client = from;
            relay_by_client_[key(from)] = relays_.size() - 1;
            watch(r->fd, static_cast<std::uint32_t>(relays_.size()));
        }
        sockaddr_in bound{};
        socklen_t n = sizeof bound;
        ::getsockname(r->fd, reinterpret_cast<sockaddr*>(&bound), &n);
        b.add(stun::XorRelayedAddress{address_of(bound)}).add(stun::Lifetime{600});
        b.add(stun::XorMappedAddress{address_of(from)});
    }

    void bind(Relay& r, const stun::MessageView& m) {
        auto channel = stun::get<stun::ChannelNumber>(m);
        auto peer = stun::get<stun::XorPeerAddress>(m);
        if (!channel || !peer) return;
        const sockaddr_in to = sockaddr_of(peer->address);
        r.peer_of[channel->number] = to;
        r.channel_of[key(to)] = channel->number;
    }

    Relay* relay_for(const sockaddr_in& client) {
        auto it = relay_by_client_.find(key(client));
        return it == relay_by_client_.end() ? nullptr : &relays_[it->second];
    }

    void queue(int fd, const std::uint8_t* bytes, std::size_t len, const sockaddr_in& to) {
        if (fd != send_fd_ || sends_ == batch) flush();
        send_fd_ = fd;
        send_to_[sends_] = to;
        send_iov_[sends_] = {const_cast<std::uint8_t*>(bytes), len};
        send_headers_[sends_] = {};
        send_headers_[sends_].msg_hdr.msg_iov = &send_iov_[sends_];
        send_headers_[sends_].msg_hdr.msg_iovlen = 1;
        send_headers_[sends_].msg_hdr.msg_name = &send_to_[sends_];
        send_headers_[sends_].msg_hdr.msg_namelen = sizeof(sockaddr_in);
        ++sends_;
    }

    void flush() {
        std::size_t done = 0;
        while (done < sends_) {
            const int n = ::sendmmsg(send_fd_, send_headers_.data() + done, static_cast<unsigned>(sends_ - done), 0);
            done += n > 0 ? static_cast<std::size_t>(n) : 1;  // a refused datagram is dropped
        }
        sends_ = 0;
    }

    int epoll_;
    int listener_;
    // A deque would keep Relay addresses stable; indices are used instead, so a vector is fine.
    std::vector<Relay> relays_;
    std::unordered_map<std::uint64_t, std::size_t> relay_by_client_;
    std::vector<std::array<std::uint8_t, headroom + capacity>> buffers_;
    std::array<mmsghdr, batch> headers_{};
    std::array<iovec, batch> iov_{};
    std::array<sockaddr_in, batch> from_{};
    int send_fd_ = -1;
    std::size_t sends_ = 0;
    std::array<mmsghdr, batch> send_headers_{};
    std::array<iovec, batch> send_iov_{};
    std::array<sockaddr_in, batch> send_to_{};
};

}  // namespace

int main(int argc, char** argv) {
    std::uint16_t port = 0;
    long seconds = 600;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--port") port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
        else if (flag == "--seconds") seconds = std::atol(argv[i + 1]);
    }
    if (port == 0) {
        std::fprintf(stderr, "usage: hallpass-forwarder --port PORT [--seconds N]\n");
        return 2;
    }
    rlimit r{};
    ::getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
    Forwarder f(port);
    std::printf("hallpass-forwarder ready on 127.0.0.1:%u\n", port);
    std::fflush(stdout);
    f.run(std::chrono::seconds(seconds));
    return 0;
}
