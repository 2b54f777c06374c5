#include "relay/tls_stream.hpp"

#include <new>
#include <utility>

namespace hallpass::relay {

TlsStream::TlsStream(Socket socket, boost::asio::ssl::context& context)
    : ssl_(SSL_new(context.native_handle())), socket_(std::move(socket)) {
    if (!ssl_) throw std::bad_alloc();
    socket_.non_blocking(true);
    // BIO_NOCLOSE: the socket stays Asio's. OpenSSL writes with write(), which raises
    // SIGPIPE on a reset connection; the server ignores that signal (server.cpp).
    BIO* out = BIO_new_socket(socket_.native_handle(), BIO_NOCLOSE);
    in_ = BIO_new(BIO_s_mem());
    if (!out || !in_) {
        BIO_free(out);
        BIO_free(in_);
        throw std::bad_alloc();
    }
    BIO_set_mem_eof_return(in_, -1);  // empty is "read again later", not the end of the stream
    SSL_set_bio(ssl_.get(), in_, out);
    SSL_set_accept_state(ssl_.get());
    // Take what the memory BIO holds (up to OpenSSL's read buffer) in one BIO_read instead
    // of a header and a body per record.
    SSL_set_read_ahead(ssl_.get(), 1);
    // The bytes of a write that must wait are moved into the connection's queue.
    SSL_set_mode(ssl_.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

std::size_t TlsStream::write_now(std::span<const std::uint8_t> bytes, error_code& ec) {
    ec = {};
    if (bytes.empty()) return 0;
    if (!usable()) {
        ec = boost::asio::error::operation_aborted;
        return 0;
    }
    clear_errors();
    const int r = SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size()));
    if (r > 0) return static_cast<std::size_t>(r);  // all of it: partial writes are off
    switch (what_to_wait_for(r, ec)) {
        case Wait::write: return 0;
        // Only renegotiation makes a server's write wait for a read, and it is refused.
        case Wait::read:
            failed_ = true;
            ec = boost::asio::ssl::error::unspecified_system_error;
            return 0;
        case Wait::failed: return 0;
    }
    return 0;
}

std::size_t TlsStream::input_buffer_bytes() const {
    BUF_MEM* memory = nullptr;
    BIO_get_mem_ptr(in_, &memory);
    return memory ? memory->max : 0;
}

void TlsStream::release_grown_input() {
    if (!input_may_have_grown_ || BIO_ctrl_pending(in_) > 0) return;
    input_may_have_grown_ = false;
    BUF_MEM* memory = nullptr;
    BIO_get_mem_ptr(in_, &memory);
    if (!memory || memory->max <= grown_input_bytes) return;
    BIO* fresh = BIO_new(BIO_s_mem());
    if (!fresh) return;  // keep the grown one
    BIO_set_mem_eof_return(fresh, -1);
    SSL_set0_rbio(ssl_.get(), fresh);  // frees the grown one
    in_ = fresh;
}

TlsStream::Wait TlsStream::what_to_wait_for(int result, error_code& ec) {
    const int error = SSL_get_error(ssl_.get(), result);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) failed_ = true;
    switch (error) {
        case SSL_ERROR_WANT_READ: return Wait::read;
        case SSL_ERROR_WANT_WRITE: return Wait::write;
        case SSL_ERROR_ZERO_RETURN: ec = boost::asio::error::eof; return Wait::failed;
        case SSL_ERROR_SYSCALL:
            ec = errno != 0 ? error_code(errno, boost::system::system_category())
                            : error_code(boost::asio::error::eof);
            return Wait::failed;
        default: {
            const unsigned long queued = ERR_get_error();
            ec = queued != 0 ? error_code(static_cast<int>(queued), boost::asio::error::get_ssl_category())
                             : error_code(boost::asio::ssl::error::stream_truncated);
            return Wait::failed;
        }
    }
}

}  // namespace hallpass::relay
