// TlsStream: TURN over TLS on a non-blocking TCP socket. OpenSSL writes records straight
// to the socket (a socket BIO); Asio reads the socket, and OpenSSL decrypts from a memory BIO.
//
// Writes: Asio's ssl::stream encrypts into a memory BIO, copies every record out of it and
// then writes it with a composed operation that allocates. A relay writes one record per
// media packet, and the TLS classroom profile put that machinery (memmove, malloc/free,
// Asio's io_op) above the cipher itself (bench/RESULTS.md). Here a record goes from
// SSL_write straight into send(): no copy, no allocation, and nothing queued while the
// socket takes it.
//
// Reads: waiting for readability and then letting OpenSSL read the socket cost an epoll_ctl
// per record, because Asio re-arms the descriptor for every wait (5 % of the server's time
// in the TLS classroom profile). A read through Asio needs no re-arm: the ciphertext is read
// into the caller's buffer, copied into the memory BIO, and decrypted back into that buffer.
//
// One thread uses a stream: it belongs to one worker's io_context.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <memory>
#include <span>
#include <vector>

namespace hallpass::relay {

class TlsStream {
public:
    using Socket = boost::asio::ip::tcp::socket;
    using error_code = boost::system::error_code;

    TlsStream(Socket socket, boost::asio::ssl::context& context);
    TlsStream(TlsStream&&) noexcept = default;
    TlsStream& operator=(TlsStream&&) = delete;

    Socket& next_layer() { return socket_; }
    // Bytes the memory BIO holds room for (tests/relay/tls_stream_test.cpp).
    std::size_t input_buffer_bytes() const;

    template <class Handler>
    void async_handshake(Handler handler) {
        if (!usable()) return handler(error_code{boost::asio::error::operation_aborted});
        clear_errors();
        const int r = SSL_do_handshake(ssl_.get());
        if (r == 1) {
            own_ = {};
            return handler(error_code{});
        }
        retry_when_ready(r, boost::asio::mutable_buffer{}, [this, handler](const error_code& ec) mutable {
            if (ec) return handler(ec);
            async_handshake(std::move(handler));
        });
    }

    // Reads some plaintext into `into`, which also receives the ciphertext on its way to
    // OpenSSL (read_space). The handler never runs inside this call: decrypted bytes that
    // OpenSSL already holds are delivered through a post, so a stream of buffered records
    // cannot recurse.
    template <class Handler>
    void async_read_some(boost::asio::mutable_buffer into, Handler handler) {
        auto read = [this, into, handler](const error_code& ec) mutable {
            if (ec) return handler(ec, std::size_t{0});
            read_now(into, std::move(handler));
        };
        if (SSL_has_pending(ssl_.get()) || BIO_ctrl_pending(in_) > 0)
            return boost::asio::post(socket_.get_executor(), [read]() mutable { read({}); });
        fill(into, std::move(read));
    }

    // Writes bytes now if the socket takes them. Returns how many were taken: all of them,
    // or 0 when the record must wait for the socket (then call async_write_rest with the same
    // bytes, possibly moved, before any other write).
    std::size_t write_now(std::span<const std::uint8_t> bytes, error_code& ec);

    // Finishes a write that write_now could not complete; `bytes` begins with the same
    // bytes and may be longer.
    template <class Handler>
    void async_write_rest(std::span<const std::uint8_t> bytes, Handler handler) {
        socket_.async_wait(Socket::wait_write, [this, bytes, handler](const error_code& ec) mutable {
            if (ec) return handler(ec);
            error_code write_ec;
            if (write_now(bytes, write_ec) == bytes.size() || write_ec) return handler(write_ec);
            async_write_rest(bytes, std::move(handler));
        });
    }

private:
    enum class Wait { read, write, failed };
    // Also marks the stream failed: OpenSSL allows no more I/O after a fatal error.
    Wait what_to_wait_for(int result, error_code& ec);
    // A readiness report can be queued just before the connection closes, when the
    // descriptor number may already belong to another socket: nothing touches it then.
    bool usable() const { return socket_.is_open() && !failed_; }
    // SSL_get_error reads the error queue and, for SSL_ERROR_SYSCALL, errno.
    static void clear_errors() {
        ERR_clear_error();
        errno = 0;
    }

    // Where the next ciphertext read goes: the caller's buffer, up to max_read_bytes (what a
    // read adds to the memory BIO is bounded), or the stream's own when the caller has less
    // room than own_read_bytes. A framer holding most of a 64 KiB frame has a few bytes of
    // room, and reading a record through them would take thousands of system calls.
    boost::asio::mutable_buffer read_space(boost::asio::mutable_buffer into) {
        if (into.size() >= own_read_bytes) return {into.data(), std::min(into.size(), max_read_bytes)};
        if (own_.empty()) own_.resize(own_read_bytes);
        return boost::asio::buffer(own_);
    }

    // Reads ciphertext from the socket and hands it to OpenSSL's memory BIO.
    template <class Then>
    void fill(boost::asio::mutable_buffer into, Then then) {
        const auto scratch = read_space(into);
        socket_.async_read_some(scratch, [this, scratch, then](const error_code& ec, std::size_t n) mutable {
            if (ec) return then(ec);
            if (!usable()) return then(error_code{boost::asio::error::operation_aborted});
            if (BIO_write(in_, scratch.data(), static_cast<int>(n)) != static_cast<int>(n)) {
                failed_ = true;  // the memory BIO could not grow
                return then(error_code{boost::asio::error::no_memory});
            }
            if (n >= own_read_bytes) input_may_have_grown_ = true;
            then(error_code{});
        });
    }

    template <class Then>
    void retry_when_ready(int result, boost::asio::mutable_buffer scratch, Then then) {
        error_code ec;
        switch (what_to_wait_for(result, ec)) {
            case Wait::read:
                release_grown_input();  // after SSL_get_error, which reads the BIO's retry flags
                // OpenSSL asks for more only when the BIO is empty (SSL_MODE_AUTO_RETRY, on by
                // default); should it ever ask with bytes left, they are offered again first.
                if (BIO_ctrl_pending(in_) > 0)
                    return boost::asio::post(socket_.get_executor(), [then]() mutable { then(error_code{}); });
                return fill(scratch, std::move(then));
            case Wait::write: return socket_.async_wait(Socket::wait_write, std::move(then));
            case Wait::failed: return then(ec);
        }
    }

    template <class Handler>
    void read_now(boost::asio::mutable_buffer into, Handler handler) {
        if (!usable()) return handler(error_code{boost::asio::error::operation_aborted}, std::size_t{0});
        clear_errors();
        const int r = SSL_read(ssl_.get(), into.data(), static_cast<int>(into.size()));
        if (r > 0) {
            release_grown_input();
            return handler(error_code{}, static_cast<std::size_t>(r));
        }
        retry_when_ready(r, into, [this, into, handler](const error_code& ec) mutable {
            if (ec) return handler(ec, std::size_t{0});
            read_now(into, std::move(handler));
        });
    }

    struct SslFree {
        void operator()(SSL* ssl) const { SSL_free(ssl); }
    };

    // An empty memory BIO whose buffer a burst has grown past grown_input_bytes is replaced,
    // so that one burst does not hold that memory for the connection's life. Only reads of
    // own_read_bytes or more are followed by the check: smaller ones (audio, requests) leave
    // at most a partial record plus one read (about 21 KiB) before OpenSSL drains them, and
    // a buffer of that size is kept.
    void release_grown_input();

    // The stream's own buffer: a ClientHello and a client's handshake records fit; more takes
    // another read.
    static constexpr std::size_t own_read_bytes = 4096;
    // Two TLS records and more: what one read adds to the memory BIO at most.
    static constexpr std::size_t max_read_bytes = 32 * 1024;
    static constexpr std::size_t grown_input_bytes = 16 * 1024;

    std::unique_ptr<SSL, SslFree> ssl_;  // before socket_: made first, and freed after it closes
    BIO* in_ = nullptr;                  // the memory BIO OpenSSL reads records from; ssl_ owns it
    Socket socket_;
    std::vector<std::uint8_t> own_;  // during the handshake, and for callers with little room
    bool input_may_have_grown_ = false;
    bool failed_ = false;
};

}  // namespace hallpass::relay
