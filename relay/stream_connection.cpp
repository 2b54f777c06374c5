#include "relay/stream_connection.hpp"

#include <optional>

#include "relay/http_probe.hpp"
#include "relay/http_request_reader.hpp"
#include "relay/check/turn_port_http.hpp"
#include "relay/proxy_protocol.hpp"
#include "relay/socket_address.hpp"
#include "relay/stream_acceptor.hpp"

namespace hallpass::relay {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// The PROXY header and HTTP requests are read into a small buffer; the HTTP reader takes a
// head of 8 KiB at most (and a body as it comes).
constexpr std::size_t prefix_limit = 8192 + 512;
// Requests on one kept-alive HTTP connection: the check page's files and its credentials.
constexpr unsigned max_http_requests = 16;

TcpSocket& lowest(TcpSocket& s) { return s; }
TcpSocket& lowest(TlsStream& s) { return s.next_layer(); }

template <class Stream>
class StreamConnection final : public StreamConnectionBase {
    static constexpr bool is_tls = std::is_same_v<Stream, TlsStream>;

public:
    StreamConnection(std::shared_ptr<void> keepalive, Stream stream, ConnectionSlot slot,
                     const TransportAddress& local, const StreamSettings& settings, StreamOwner& owner,
                     alloc::Transport transport)
        : keepalive_(std::move(keepalive)),
          stream_(std::move(stream)),
          settings_(settings),
          owner_(owner),
          timer_(lowest(stream_).get_executor()) {
        slot_ = std::move(slot);
        error_code ec;
        const auto remote = lowest(stream_).remote_endpoint(ec);
        five_tuple_ = {ec ? TransportAddress{} : from_endpoint(remote), local, transport};
        const int on = 1;  // small TURN answers and media must not wait for Nagle
        ::setsockopt(lowest(stream_).native_handle(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        lowest(stream_).non_blocking(true, ec);  // start_write sends directly and must not block
    }

    void start() override {
        if constexpr (is_tls) {
            arm_timer(settings_.handshake_timeout);
            auto self = shared_from_this();
            stream_.async_handshake([this, self](error_code ec) {
                owner_.on_tls_handshake(*this, ec);
                if (ec) return close();
                begin();
            });
        } else {
            begin();
        }
    }

    bool send(std::span<const std::uint8_t> bytes, bool media) override {
        if (closed_) return false;
        if (media && queued() + bytes.size() > settings_.queue_bytes) {
            ++dropped_;
            return false;
        }
        pending_.insert(pending_.end(), bytes.begin(), bytes.end());
        if (!writing_ && !write_requested_) {
            write_requested_ = true;
            owner_.write_later(*this);
        }
        return true;
    }

    void write_queued() override {
        write_requested_ = false;
        if (closed_ || writing_ || pending_.empty()) return;
        start_write();
    }

    void close() override {
        if (closed_) return;
        closed_ = true;
        timer_.cancel();
        error_code ignored;
        lowest(stream_).shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        lowest(stream_).close(ignored);
        owner_.on_stream_closed(*this);
    }

private:
    void begin() {
        arm_timer(settings_.idle_timeout);
        if (!settings_.proxy_protocol && !admit()) return;
        read_prefix();
    }

    bool admit() {
        admitted_ = owner_.admit(*this);
        if (!admitted_) close();
        return admitted_;
    }

    // Reads until the PROXY header (if expected) and the first bytes of the protocol are in.
    void read_prefix() {
        if (prefix_.size() >= prefix_limit) return close();
        const std::size_t old = prefix_.size();
        prefix_.resize(prefix_limit);
        auto self = shared_from_this();
        stream_.async_read_some(asio::buffer(prefix_.data() + old, prefix_limit - old),
                                [this, self, old](error_code ec, std::size_t n) {
                                    prefix_.resize(old + n);
                                    if (ec || closed_) return close();
                                    decide();
                                });
    }

    void decide() {
        if (http_) return serve_http();
        if (settings_.proxy_protocol && !proxy_done_) {
            const auto parsed = parse_proxy_header(prefix_);
            if (parsed.status == ProxyParse::Status::need_more) return read_prefix();
            if (parsed.status == ProxyParse::Status::invalid) return close();
            if (parsed.header.source) five_tuple_.client = *parsed.header.source;
            prefix_.erase(prefix_.begin(), prefix_.begin() + static_cast<long>(parsed.header.length));
            proxy_done_ = true;
            if (!admit()) return;
        }
        switch (classify_first_bytes(prefix_)) {
            case FirstBytes::need_more: return read_prefix();
            case FirstBytes::http: return start_http();
            case FirstBytes::turn: return start_turn();
        }
    }

    void start_http() {
        http_.emplace();
        arm_timer(settings_.handshake_timeout);
        serve_http();
    }

    // Each request must come whole within the handshake limit; the connection closes after
    // the last answer, a malformed request, or one over the size limits (after a 431/413).
    void serve_http() {
        const auto result = http_->feed(prefix_);
        prefix_.erase(prefix_.begin(), prefix_.begin() + static_cast<long>(result.used));
        switch (result.status) {
            case HttpRequestReader::Status::need_more: return read_prefix();
            case HttpRequestReader::Status::invalid: return close();
            case HttpRequestReader::Status::too_large:
                return answer_http(turn_port_response_bytes(turn_port_too_large(http_->header_too_large()),
                                                            HttpRequest{}, false),
                                   false, true);
            case HttpRequestReader::Status::done: break;
        }
        const HttpRequest& request = http_->request();
        HttpResponse response = owner_.answer_http(*this, request);
        const bool again = ++http_answered_ < max_http_requests && request.keep_alive() && response.keep_alive();
        answer_http(turn_port_response_bytes(std::move(response), request, again), again);
    }

    // `linger`: the client is still sending (a request over the limits); closing now, with
    // its bytes unread, would reset the connection and could lose the answer.
    void answer_http(std::string bytes, bool again, bool linger = false) {
        http_reply_ = std::move(bytes);
        auto self = shared_from_this();
        auto after = [this, self, again, linger](error_code ec) {
            if (!ec && linger && !closed_) return discard_then_close();
            if (ec || !again || closed_) return close();
            http_->reset();
            arm_timer(settings_.handshake_timeout);
            serve_http();
        };
        if constexpr (is_tls) {
            const std::span<const std::uint8_t> reply(reinterpret_cast<const std::uint8_t*>(http_reply_.data()),
                                                      http_reply_.size());
            error_code ec;
            if (stream_.write_now(reply, ec) == reply.size() || ec) return after(ec);
            stream_.async_write_rest(reply, after);
        } else {
            asio::async_write(stream_, asio::buffer(http_reply_),
                              [after](error_code ec, std::size_t) mutable { after(ec); });
        }
    }

    // The answer is out: no more to send, and what the client still sends is read and
    // dropped for two seconds at most, then the connection closes.
    void discard_then_close() {
        error_code ignored;
        lowest(stream_).shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        arm_timer(std::chrono::seconds(2));
        prefix_.assign(4096, 0);
        discard();
    }

    void discard() {
        auto self = shared_from_this();
        stream_.async_read_some(asio::buffer(prefix_.data(), prefix_.size()), [this, self](error_code ec, std::size_t) {
            if (ec || closed_) return close();
            discard();
        });
    }

    void start_turn() {
        auto room = framer_.writable();
        if (room.size() < prefix_.size()) return close();
        std::copy(prefix_.begin(), prefix_.end(), room.begin());
        framer_.commit(prefix_.size());
        prefix_ = {};  // releases the buffer: the framer takes over
        turn_started_ = true;
        deliver_frames();
    }

    std::size_t queued() const { return pending_.size() + in_flight_.size(); }

    void deliver_frames() {
        for (;;) {
            const auto frame = framer_.next();
            if (frame.status == turn::StreamFramer::Frame::Status::invalid) return close();
            if (frame.status == turn::StreamFramer::Frame::Status::need_more) break;
            owner_.on_stream_message(*this, frame.bytes);
            if (closed_) return;
        }
        // A client that sends requests but does not read its answers stops being read
        // until they drain: answers are never dropped, so this is what bounds them.
        if (queued() > settings_.queue_bytes) {
            reading_paused_ = true;
            return;
        }
        read_frames();
    }

    void read_frames() {
        auto room = framer_.writable();
        if (room.empty()) return close();
        auto self = shared_from_this();
        stream_.async_read_some(asio::buffer(room.data(), room.size()),
                                [this, self](error_code ec, std::size_t n) {
                                    if (ec || closed_) return close();
                                    framer_.commit(n);
                                    deliver_frames();
                                });
    }

    void start_write() {
        // Two buffers take turns: one is being written while the other fills, so a queue
        // that has grown once needs no more allocations.
        std::swap(pending_, in_flight_);
        pending_.clear();
        writing_ = true;
        auto self = shared_from_this();
        if constexpr (is_tls) {
            error_code failure;
            if (stream_.write_now(in_flight_, failure) == in_flight_.size() || failure) return written(failure);
            stream_.async_write_rest(in_flight_, [this, self](error_code ec) { written(ec); });
        } else {
            // Straight to the socket when it takes it all (the common case: no operation for
            // Asio to allocate and complete later); what it cannot take yet is finished by
            // async_write.
            error_code ec;
            const std::size_t n = stream_.send(asio::buffer(in_flight_), 0, ec);
            if (ec == asio::error::would_block) ec = {};
            if (ec || n == in_flight_.size()) return written(ec);
            asio::async_write(stream_, asio::buffer(in_flight_.data() + n, in_flight_.size() - n),
                              [this, self](error_code e, std::size_t) { written(e); });
        }
    }

    void written(error_code ec) {
        writing_ = false;
        in_flight_.clear();
        if (ec) return close();
        if (!pending_.empty() && !closed_) start_write();
        if (reading_paused_ && !closed_ && queued() <= settings_.queue_bytes / 2) {
            reading_paused_ = false;
            deliver_frames();
        }
    }

    // One timer serves the handshake limit and then the idle limit: a connection that has
    // no allocation when it fires is closed.
    // A wait that had already fired when the timer was set again still runs, with no error:
    // the generation tells it that it is stale.
    void arm_timer(std::chrono::milliseconds after) {
        timer_.expires_after(after);
        const std::uint64_t generation = ++timer_generation_;
        auto self = shared_from_this();
        timer_.async_wait([this, self, generation](error_code ec) {
            if (ec || closed_ || generation != timer_generation_) return;
            if (!turn_started_ || !owner_.has_allocation(five_tuple_)) return close();
            arm_timer(settings_.idle_timeout);
        });
    }

    std::shared_ptr<void> keepalive_;  // the TLS context, which stream_ refers to: declared first, freed last
    Stream stream_;
    StreamSettings settings_;
    StreamOwner& owner_;
    asio::steady_timer timer_;
    std::uint64_t timer_generation_ = 0;
    std::vector<std::uint8_t> prefix_;
    bool proxy_done_ = false;
    std::optional<HttpRequestReader> http_;
    unsigned http_answered_ = 0;
    std::string http_reply_;
    turn::StreamFramer framer_;
    bool turn_started_ = false;
    bool reading_paused_ = false;
    std::vector<std::uint8_t> pending_;
    std::vector<std::uint8_t> in_flight_;
    bool writing_ = false;
    bool write_requested_ = false;  // the owner will call write_queued()
    bool closed_ = false;
};

}  // namespace

std::shared_ptr<StreamConnectionBase> make_tcp_connection(TcpSocket socket, ConnectionSlot slot,
                                                          const TransportAddress& local,
                                                          const StreamSettings& settings, StreamOwner& owner) {
    return std::make_shared<StreamConnection<TcpSocket>>(nullptr, std::move(socket), std::move(slot), local,
                                                         settings, owner, alloc::Transport::tcp);
}

std::shared_ptr<StreamConnectionBase> make_tls_connection(TcpSocket socket, ConnectionSlot slot,
                                                          std::shared_ptr<boost::asio::ssl::context> context,
                                                          const TransportAddress& local,
                                                          const StreamSettings& settings, StreamOwner& owner) {
    // The stream refers to the context; the connection keeps the context alive, so a
    // certificate reload never pulls it from under an open connection.
    TlsStream stream(std::move(socket), *context);  // may throw only when out of memory
    return std::make_shared<StreamConnection<TlsStream>>(std::move(context), std::move(stream), std::move(slot),
                                                         local, settings, owner, alloc::Transport::tls);
}

}  // namespace hallpass::relay
