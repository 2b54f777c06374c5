#include "bench/peer_socket.hpp"

#include "bench/clock.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hallpass::bench {
namespace {

// The receive batch, shared by the sockets of one thread's loop.
struct InBatch {
    std::array<std::array<std::uint8_t, 2048>, 64> data;
    std::array<sockaddr_storage, 64> from;
    std::array<iovec, 64> iov;
    std::array<mmsghdr, 64> headers;
    void arm() {
        for (std::size_t i = 0; i < 64; ++i) {
            iov[i] = {data[i].data(), data[i].size()};
            headers[i] = {};
            headers[i].msg_hdr.msg_name = &from[i];
            headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            headers[i].msg_hdr.msg_iov = &iov[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
    }
};
thread_local InBatch in_batch;  // one per bench thread (--threads)

void force_buffer(int fd, int option, int force_option, int bytes) {
    if (::setsockopt(fd, SOL_SOCKET, force_option, &bytes, sizeof bytes) != 0)
        ::setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes);
}

}  // namespace

PeerSocket::PeerSocket(EventLoop& loop, const TransportAddress& local) : loop_(loop) {
    std::string error;
    fd_ = udp_socket(local, error);
    if (fd_ < 0) throw std::runtime_error("peer socket: " + error);
    force_buffer(fd_, SO_RCVBUF, SO_RCVBUFFORCE, 8 << 20);
    force_buffer(fd_, SO_SNDBUF, SO_SNDBUFFORCE, 8 << 20);
    address_ = local_address(fd_);
    loop_.add(fd_, this, EPOLLIN);
}

PeerSocket::~PeerSocket() {
    if (fd_ >= 0) {
        loop_.remove(fd_);
        ::close(fd_);
    }
}

void PeerSocket::queue(const SocketAddress& to, std::span<const std::uint8_t> payload) {
    if (payload.size() > room) return;
    std::memcpy(out_data_[queued_].data(), payload.data(), payload.size());
    out_to_[queued_] = to;
    out_iov_[queued_] = {out_data_[queued_].data(), payload.size()};
    auto& h = out_headers_[queued_].msg_hdr;
    h = {};
    h.msg_name = &out_to_[queued_].storage;
    h.msg_namelen = out_to_[queued_].length;
    h.msg_iov = &out_iov_[queued_];
    h.msg_iovlen = 1;
    if (++queued_ == batch) flush();
}

void PeerSocket::flush() {
    std::size_t sent = 0;
    while (sent < queued_) {
        const int n = ::sendmmsg(fd_, out_headers_.data() + sent, static_cast<unsigned>(queued_ - sent), MSG_DONTWAIT);
        if (n <= 0) {
            // EAGAIN: the socket buffer is full; the rest is dropped, as a network would.
            send_drops_ += queued_ - sent;
            break;
        }
        sent += static_cast<std::size_t>(n);
    }
    queued_ = 0;
}

void PeerSocket::on_event(std::uint32_t) {
    for (int round = 0; round < 8; ++round) {
        in_batch.arm();
        const int n = ::recvmmsg(fd_, in_batch.headers.data(), 64, MSG_DONTWAIT, nullptr);
        if (n <= 0) break;
        received_ += static_cast<std::uint64_t>(n);
        const std::int64_t now = receiver_ ? now_ns() : 0;
        for (int i = 0; i < n; ++i) {
            const auto& h = in_batch.headers[i];
            const std::span<const std::uint8_t> payload(in_batch.data[i].data(), h.msg_len);
            if (receiver_) {
                receiver_(payload, now);
                continue;
            }
            SocketAddress back;
            std::memcpy(&back.storage, &in_batch.from[i], h.msg_hdr.msg_namelen);
            back.length = h.msg_hdr.msg_namelen;
            queue(back, payload);  // echo: back to the relayed address it came from
        }
        flush();
        if (n < 64) break;
    }
}

}  // namespace hallpass::bench
