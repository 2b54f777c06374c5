#include "relay/tls_stream.hpp"

#include <cerrno>
#include <utility>

namespace hallpass::relay {

TlsStream::TlsStream(Socket socket, boost::asio::ssl::context& context)
    : socket_(std::move(socket)), ssl_(SSL_new(context.native_handle())) {
    if (!ssl_) throw std::bad_alloc();
    socket_.non_blocking(true);
    SSL_set_fd(ssl_, socket_.native_handle());  // BIO_NOCLOSE: the socket stays Asio's
    SSL_set_accept_state(ssl_);
    // Read whatever the socket holds in one recv instead of a header and a body per record.
    SSL_set_read_ahead(ssl_, 1);
    // The bytes of a write that must wait are moved into the connection's queue.
    SSL_set_mode(ssl_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

TlsStream::~TlsStream() {
    if (ssl_) SSL_free(ssl_);
}

TlsStream::TlsStream(TlsStream&& other) noexcept
    : socket_(std::move(other.socket_)), ssl_(std::exchange(other.ssl_, nullptr)) {}

std::size_t TlsStream::write_now(std::span<const std::uint8_t> bytes, error_code& ec) {
    ec = {};
    if (bytes.empty()) return 0;
    if (!socket_.is_open()) {
        ec = boost::asio::error::operation_aborted;
        return 0;
    }
    ERR_clear_error();
    const int r = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (r > 0) return static_cast<std::size_t>(r);  // all of it: partial writes are off
    switch (what_to_wait_for(r, ec)) {
        case Wait::write: return 0;
        // Only renegotiation makes a server's write wait for a read, and it is refused.
        case Wait::read: ec = boost::asio::ssl::error::unspecified_system_error; return 0;
        case Wait::failed: return 0;
    }
    return 0;
}

TlsStream::Wait TlsStream::what_to_wait_for(int result, error_code& ec) {
    const int error = SSL_get_error(ssl_, result);
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
