// Session's socket work: a connected non-blocking UDP socket (recvmmsg in batches), or a
// non-blocking TCP connection with optional TLS, framed by turn::StreamFramer.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "bench/clock.hpp"
#include "bench/session.hpp"
#include "bench/socket_util.hpp"

namespace hallpass::bench {
namespace {

constexpr std::size_t batch = 32;
constexpr std::size_t datagram_room = 2048;
// Bytes queued per stream connection before the bench drops its own packets (counted).
constexpr std::size_t max_outbox = 4 * 1024 * 1024;
// Reads per readiness event before yielding to other connections.
constexpr int max_reads = 64;

struct ReceiveBatch {
    std::array<std::array<std::uint8_t, datagram_room>, batch> data;
    std::array<iovec, batch> iov;
    std::array<mmsghdr, batch> headers;
    ReceiveBatch() {
        for (std::size_t i = 0; i < batch; ++i) {
            iov[i] = {data[i].data(), datagram_room};
            headers[i] = {};
            headers[i].msg_hdr.msg_iov = &iov[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
    }
};
thread_local ReceiveBatch receive_batch;  // one per bench thread (--threads)

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

bool Session::open_socket() {
    const auto server = to_socket_address(endpoint_.server);
    const int type = stream() ? SOCK_STREAM : SOCK_DGRAM;
    fd_ = ::socket(family_of(endpoint_.server), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        fail("socket: " + errno_text(errno) + (errno == EMFILE ? " (raise ulimit -n)" : ""));
        return false;
    }
    if (stream()) {
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        framer_ = std::make_unique<turn::StreamFramer>();
    } else {
        std::string error;
        const auto local = to_socket_address(client_bind_address(endpoint_.server));
        if (::bind(fd_, local.get(), local.length) != 0) {
            fail("bind: " + errno_text(errno));
            return false;
        }
    }
    if (::connect(fd_, server.get(), server.length) != 0 && errno != EINPROGRESS) {
        fail("connect to " + endpoint_.server.to_string() + ": " + errno_text(errno));
        return false;
    }
    want_write_ = stream();  // a stream connect completes with EPOLLOUT
    loop_.add(fd_, this, EPOLLIN | (want_write_ ? EPOLLOUT : 0u));
    return true;
}

void Session::close_socket() {
    if (ssl_) {
        SSL_free(ssl_);
        ssl_ = nullptr;
    }
    if (fd_ >= 0) {
        loop_.remove(fd_);
        ::close(fd_);
        fd_ = -1;
    }
}

void Session::update_interest() {
    if (fd_ < 0) return;
    const bool want = state_ == State::connecting || outbox_sent_ < outbox_.size() ||
                      (state_ == State::handshaking && handshake_wants_write_);
    if (want == want_write_) return;
    want_write_ = want;
    loop_.modify(fd_, this, EPOLLIN | (want ? EPOLLOUT : 0u));
}

void Session::on_event(std::uint32_t events) {
    if (fd_ < 0) return;
    if (state_ == State::connecting) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        on_connected();
        return;
    }
    if (state_ == State::handshaking) {
        continue_handshake();
        return;
    }
    if ((events & EPOLLOUT) && stream()) flush();
    if (fd_ < 0) return;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        if (stream()) read_stream();
        else read_datagrams();
    }
}

void Session::on_connected() {
    int error = 0;
    socklen_t len = sizeof error;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) {
        fail("cannot connect to " + endpoint_.server.to_string() + "/" + std::string(name_of(endpoint_.transport)) +
             ": " + errno_text(error));
        return;
    }
    if (endpoint_.transport == Transport::tls) {
        ssl_ = SSL_new(endpoint_.tls);
        SSL_set_fd(ssl_, fd_);
        SSL_set_tlsext_host_name(ssl_, "localhost");
        SSL_set_connect_state(ssl_);
        state_ = State::handshaking;
        continue_handshake();
        return;
    }
    state_ = State::allocating;
    update_interest();
    transport_ready(now_ns());
}

void Session::continue_handshake() {
    ERR_clear_error();
    const int r = SSL_do_handshake(ssl_);
    if (r == 1) {
        handshake_wants_write_ = false;
        state_ = State::allocating;
        update_interest();
        transport_ready(now_ns());
        return;
    }
    const int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        handshake_wants_write_ = e == SSL_ERROR_WANT_WRITE;
        update_interest();
        return;
    }
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    fail("TLS handshake with " + endpoint_.server.to_string() + " failed: " + buf);
}

void Session::read_datagrams() {
    for (int round = 0; round < max_reads / 8; ++round) {
        const int n = ::recvmmsg(fd_, receive_batch.headers.data(), batch, MSG_DONTWAIT, nullptr);
        if (n < 0) {
            if (errno == ECONNREFUSED && busy())
                fail("server unreachable: nothing answers on " + endpoint_.server.to_string() +
                     "/udp (ICMP port unreachable)");
            return;
        }
        if (n == 0) return;
        const std::int64_t now = now_ns();
        for (int i = 0; i < n && fd_ >= 0; ++i) {
            const auto& h = receive_batch.headers[i];
            if (h.msg_hdr.msg_flags & MSG_TRUNC) continue;
            handle_message(std::span<const std::uint8_t>(receive_batch.data[i].data(), h.msg_len), now);
        }
        if (static_cast<std::size_t>(n) < batch || fd_ < 0) return;
    }
}

void Session::read_stream() {
    for (int round = 0; round < max_reads && fd_ >= 0; ++round) {
        auto room = framer_->writable();
        long n = 0;
        if (ssl_) {
            ERR_clear_error();
            const int r = SSL_read(ssl_, room.data(), static_cast<int>(room.size()));
            if (r <= 0) {
                const int e = SSL_get_error(ssl_, r);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
                if (state_ == State::releasing) return released();
                fail("TLS connection closed by the server");
                return;
            }
            n = r;
        } else {
            n = ::recv(fd_, room.data(), room.size(), MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (n <= 0) {
                if (state_ == State::releasing) return released();
                fail(n == 0 ? "connection closed by the server" : "recv: " + errno_text(errno));
                return;
            }
        }
        framer_->commit(static_cast<std::size_t>(n));
        const std::int64_t now = now_ns();
        for (;;) {
            const auto frame = framer_->next();
            if (frame.status == turn::StreamFramer::Frame::Status::need_more) break;
            if (frame.status == turn::StreamFramer::Frame::Status::invalid) {
                fail("bad framing from the server: " + frame.error.to_string());
                return;
            }
            handle_message(frame.bytes, now);
            if (fd_ < 0) return;
        }
    }
    if (fd_ >= 0) loop_.call_again(this);  // more may be waiting (in TLS's buffer, say)
}

bool Session::write(std::span<const std::uint8_t> bytes) {
    if (fd_ < 0) return false;
    if (!stream()) {
        const long n = ::send(fd_, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        return n == static_cast<long>(bytes.size());
    }
    if (outbox_.size() - outbox_sent_ + bytes.size() > max_outbox) return false;
    outbox_.insert(outbox_.end(), bytes.begin(), bytes.end());
    if (state_ == State::allocating || state_ == State::binding || state_ == State::allocated ||
        state_ == State::ready)
        flush();
    return true;
}

void Session::flush() {
    while (outbox_sent_ < outbox_.size() && fd_ >= 0) {
        const std::uint8_t* at = outbox_.data() + outbox_sent_;
        const std::size_t left = outbox_.size() - outbox_sent_;
        long n = 0;
        if (ssl_) {
            ERR_clear_error();
            const int r = SSL_write(ssl_, at, static_cast<int>(std::min<std::size_t>(left, 1 << 20)));
            if (r <= 0) {
                const int e = SSL_get_error(ssl_, r);
                if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) break;
                fail("TLS write failed");
                return;
            }
            n = r;
        } else {
            n = ::send(fd_, at, left, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                fail("send: " + errno_text(errno));
                return;
            }
        }
        outbox_sent_ += static_cast<std::size_t>(n);
    }
    if (fd_ < 0) return;
    if (outbox_sent_ == outbox_.size()) {
        outbox_.clear();
        outbox_sent_ = 0;
    } else if (outbox_sent_ > 65536) {
        outbox_.erase(outbox_.begin(), outbox_.begin() + static_cast<long>(outbox_sent_));
        outbox_sent_ = 0;
    }
    update_interest();
}

}  // namespace hallpass::bench
