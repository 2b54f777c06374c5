#include "relay/admin/admin_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>

#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "relay/stream_acceptor.hpp"

namespace hallpass::relay {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// What the acceptor and the open sessions share: the handler, the limits, and the sessions
// themselves (to count them, and to close them on stop).
struct AdminServer::Shared {
    AdminHandler handler;
    AdminLimits limits;
    std::unordered_set<class AdminSession*> sessions;
    bool retired = false;  // stop_accepting(): answer what is being answered, then close
};

class AdminSession : public std::enable_shared_from_this<AdminSession> {
public:
    AdminSession(asio::ip::tcp::socket socket, std::shared_ptr<AdminServer::Shared> shared)
        : stream_(std::move(socket)), shared_(std::move(shared)) {
        shared_->sessions.insert(this);
    }
    ~AdminSession() { shared_->sessions.erase(this); }

    void start() { read(); }
    // Closed now unless a request is being answered, which then closes after its answer.
    void close_when_idle() {
        if (!answering_) close();
    }
    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

private:
    void read() {
        parser_.emplace();
        parser_->header_limit(shared_->limits.header_limit);
        parser_->body_limit(shared_->limits.body_limit);
        stream_.expires_after(shared_->limits.timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::header_limit || ec == http::error::body_limit) return refuse(ec);
        if (ec) return close();  // end of stream, timeout, or a malformed request
        const HttpRequest& request = parser_->get();
        answering_ = true;
        response_ = shared_->handler(request);
        response_.version(request.version());
        response_.keep_alive(request.keep_alive() && !shared_->retired);
        response_.prepare_payload();
        write();
    }

    // A request over the limits gets its answer, then the connection is closed.
    void refuse(beast::error_code ec) {
        response_ = HttpResponse(ec == http::error::header_limit ? http::status::request_header_fields_too_large
                                                                 : http::status::payload_too_large,
                                 11);
        response_.set(http::field::content_type, "text/plain");
        response_.body() = "request too large\n";
        response_.keep_alive(false);
        response_.prepare_payload();
        write();
    }

    void write() {
        stream_.expires_after(shared_->limits.timeout);
        http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->answering_ = false;
            if (ec || !self->response_.keep_alive()) return self->close();
            self->read();
        });
    }

    beast::tcp_stream stream_;
    std::shared_ptr<AdminServer::Shared> shared_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    HttpResponse response_;
    bool answering_ = false;  // from a whole request to the end of writing its answer
};

AdminServer::AdminServer(asio::io_context& io, const TransportAddress& listen, AdminHandler handler,
                         AdminLimits limits)
    : acceptor_(io), shared_(std::make_shared<Shared>(Shared{std::move(handler), limits, {}})) {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(listen.ip.to_string()), listen.port);
    try {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen();
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("admin.listen: cannot listen on " + listen.to_string() + ": " + e.code().message());
    }
}

AdminServer::~AdminServer() { stop(); }

TransportAddress AdminServer::local() const { return from_endpoint(acceptor_.local_endpoint()); }

void AdminServer::start() { accept(); }

void AdminServer::stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    // Copied: closing a session may end it, which erases it from the set.
    const auto open = shared_->sessions;
    for (auto* s : open) s->close();
}

void AdminServer::stop_accepting() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    shared_->retired = true;
    const auto open = shared_->sessions;  // copied: closing may erase
    for (auto* s : open) s->close_when_idle();
}

std::size_t AdminServer::open_sessions() const { return shared_->sessions.size(); }

void AdminServer::accept() {
    acceptor_.async_accept([this](beast::error_code ec, asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
            if (shared_->sessions.size() < shared_->limits.max_connections)
                std::make_shared<AdminSession>(std::move(socket), shared_)->start();
            // else: the socket closes here, unanswered
        }
        accept();
    });
}

}  // namespace hallpass::relay
