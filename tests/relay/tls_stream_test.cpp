// TlsStream's reads (relay/tls_stream.hpp) against an OpenSSL client on a real loopback
// connection: a caller with almost no room (a framer holding most of a 64 KiB frame) does
// not turn a record into a system call per byte, and a burst does not keep the memory it
// needed. The server's recv calls are counted by replacing recv() in this test binary.
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <vector>

#include "relay/tls_stream.hpp"
#include "tests/support/tls_loopback.hpp"

namespace {
std::atomic<int> counted_fd{-1};
std::atomic<std::size_t> recv_calls{0};
}  // namespace

extern "C" ssize_t recv(int fd, void* buffer, std::size_t length, int flags) {
    if (fd == counted_fd.load()) ++recv_calls;
    return ::syscall(SYS_recvfrom, fd, buffer, length, flags, nullptr, nullptr);
}

namespace hallpass::relay {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class TlsStreamReads : public ::testing::Test {
protected:
    void SetUp() override {
        auto pair = hallpass::testing::connect_loopback(io_);
        client_fd_ = pair.client_fd;
        stream_.emplace(std::move(pair.server), *tls_.server());
        client_ = SSL_new(tls_.client());
        SSL_set_fd(client_, client_fd_);
        SSL_set_connect_state(client_);
        bool done = false;
        stream_->async_handshake([&](boost::system::error_code ec) {
            ASSERT_FALSE(ec) << ec.message();
            done = true;
        });
        for (int i = 0; i < 5000 && !(done && SSL_do_handshake(client_) == 1); ++i) {
            SSL_do_handshake(client_);
            pump();
        }
        ASSERT_TRUE(done);
    }

    void TearDown() override {
        counted_fd = -1;
        stream_.reset();
        if (client_) SSL_free(client_);
        if (client_fd_ >= 0) ::close(client_fd_);
    }

    void pump() {
        if (io_.poll() == 0) io_.run_one_for(std::chrono::milliseconds(1));
        io_.restart();
    }

    // The client sends `bytes` (patterned); the server reads them `room` bytes at a time.
    std::vector<std::uint8_t> send_and_read(std::size_t bytes, std::size_t room) {
        std::vector<std::uint8_t> sent(bytes), got, buffer(room);
        for (std::size_t i = 0; i < bytes; ++i) sent[i] = static_cast<std::uint8_t>(i * 7);
        std::size_t written = 0;
        bool reading = false;
        for (int i = 0; i < 200000 && got.size() < bytes; ++i) {
            if (written < bytes) {
                const int n = SSL_write(client_, sent.data() + written,
                                        static_cast<int>(std::min<std::size_t>(bytes - written, 16000)));
                if (n > 0) written += static_cast<std::size_t>(n);
            }
            if (!reading) {
                reading = true;
                stream_->async_read_some(asio::buffer(buffer), [&](boost::system::error_code ec, std::size_t n) {
                    ASSERT_FALSE(ec) << ec.message() << " (" << ec.category().name() << ") after " << got.size();
                    got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<long>(n));
                    reading = false;
                });
            }
            pump();
        }
        EXPECT_EQ(got, sent);
        return got;
    }

    asio::io_context io_{1};
    hallpass::testing::SelfSignedTls tls_{"tls-stream"};
    std::optional<TlsStream> stream_;
    int client_fd_ = -1;
    SSL* client_ = nullptr;
};

TEST_F(TlsStreamReads, ARecordThroughOneByteOfRoomTakesAFewReadsNotOnePerByte) {
    counted_fd = stream_->next_layer().native_handle();
    recv_calls = 0;
    send_and_read(16000, 1);
    // The record is read through the stream's own 4 KiB buffer: about four reads, and the
    // one answered EAGAIN after each. One byte at a time it would be 16,000.
    EXPECT_LE(recv_calls.load(), 64u);
}

TEST_F(TlsStreamReads, ABurstDoesNotKeepTheMemoryItNeeded) {
    send_and_read(64000, 65552);  // a framer's room: the reads are bounded, not the room
    EXPECT_LE(stream_->input_buffer_bytes(), 16u * 1024);
    send_and_read(160, 65552);  // audio-sized records after it still arrive
}

}  // namespace
}  // namespace hallpass::relay
