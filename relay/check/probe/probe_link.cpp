#include "relay/check/probe/probe_link.hpp"

#include <netdb.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <unistd.h>

#include <boost/beast/http.hpp>

#include <cerrno>
#include <algorithm>
#include <cctype>
#include <cstring>

#include "relay/socket_address.hpp"

namespace hallpass::relay::probe {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

milliseconds left_until(Clock::time_point deadline) {
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

bool wait_for(int fd, short events, milliseconds timeout) {
    pollfd p{fd, events, 0};
    const auto ms = std::clamp<long long>(timeout.count(), 0, 60'000);  // never poll's "forever"
    return ::poll(&p, 1, static_cast<int>(ms)) == 1;
}

// A CONNECT target is a host name or an IP literal and a port: nothing that could end the
// request line and start another request through the school's proxy.
bool plain_target(std::string_view host) {
    return !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':';
    });
}

std::string system_error(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::string ssl_error() {
    const unsigned long e = ERR_get_error();
    if (e == 0) return "TLS handshake failed";
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    return text;
}

// A non-blocking connect, bounded.
std::string connect_to(int fd, const TransportAddress& to, milliseconds timeout) {
    const SocketAddress a = to_socket_address(to);
    if (::connect(fd, a.get(), a.length) == 0) return {};
    if (errno != EINPROGRESS) return system_error("connect");
    if (!wait_for(fd, POLLOUT, timeout)) return "connect: no answer within " + std::to_string(timeout.count() / 1000) + " s";
    int error = 0;
    socklen_t len = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) return std::string("connect: ") + std::strerror(error);
    return {};
}

bool write_all_fd(int fd, const std::string& bytes, milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN) return false;
        if (!wait_for(fd, POLLOUT, left_until(deadline))) return false;
    }
    return true;
}

// CONNECT host:port through the proxy; the answer's head is read byte by byte so that
// nothing of the tunnel behind it is consumed.
std::string tunnel(int fd, const LinkOptions& o) {
    if (!plain_target(o.host)) return "proxy: '" + std::string(o.host.substr(0, 64)) + "' is not a host name";
    const std::string target = (o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host) + ":" +
                               std::to_string(o.port);
    if (!write_all_fd(fd, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n", o.timeout))
        return "proxy: cannot send CONNECT";
    const auto deadline = Clock::now() + o.timeout;
    std::string head;
    while (head.size() < 8192 && head.find("\r\n\r\n") == std::string::npos) {
        char c;
        const ssize_t n = ::recv(fd, &c, 1, 0);
        if (n == 1) {
            head.push_back(c);
            continue;
        }
        if (n == 0) return "proxy closed the connection";
        if (errno != EAGAIN || !wait_for(fd, POLLIN, left_until(deadline))) return "proxy: no answer to CONNECT";
    }
    boost::beast::http::response_parser<boost::beast::http::empty_body> parser;
    parser.skip(true);  // a CONNECT answer has no body
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(head), ec);
    if (ec || !parser.is_header_done()) return "proxy: not an HTTP answer to CONNECT";
    const unsigned status = parser.get().result_int();
    if (status < 200 || status > 299)  // any 2xx opens the tunnel (RFC 9110 §9.3.6)
        return "proxy answered " + std::to_string(status) + " to CONNECT " + target;
    return {};
}

}  // namespace

std::optional<ProxyAddress> parse_proxy(std::string_view text) {
    if (text.starts_with("http://")) text.remove_prefix(7);
    if (const auto slash = text.find('/'); slash != std::string_view::npos) text = text.substr(0, slash);
    if (const auto at = text.rfind('@'); at != std::string_view::npos) text = text.substr(at + 1);  // no credentials
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon + 1 >= text.size()) return std::nullopt;
    std::string host(text.substr(0, colon));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string port(text.substr(colon + 1));
    if (host.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5) return std::nullopt;
    const unsigned long p = std::stoul(port);
    if (p == 0 || p > 65535) return std::nullopt;
    return ProxyAddress{host, static_cast<std::uint16_t>(p)};
}

std::optional<IpAddress> resolve(const std::string& host) {
    if (const auto literal = IpAddress::parse(host)) return literal;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return std::nullopt;
    std::optional<IpAddress> v4, any;
    for (addrinfo* a = found; a; a = a->ai_next) {
        sockaddr_storage s{};
        std::memcpy(&s, a->ai_addr, a->ai_addrlen);
        const IpAddress ip = from_socket_address(s).ip;
        if (!any) any = ip;
        if (ip.is_v4() && !v4) v4 = ip;
    }
    ::freeaddrinfo(found);
    return v4 ? v4 : any;
}

ProbeLink::Opened ProbeLink::open(const LinkOptions& o) {
    std::unique_ptr<ProbeLink> link(new ProbeLink);
    link->kind_ = o.kind;
    const bool via_proxy = o.proxy && o.kind != LinkKind::udp;
    const std::string& connect_host = via_proxy ? o.proxy->host : o.host;
    const auto ip = resolve(connect_host);
    if (!ip) return {nullptr, "cannot resolve " + connect_host};
    const TransportAddress to{*ip, via_proxy ? o.proxy->port : o.port};
    link->fd_ = ::socket(socket_family(ip->family), (o.kind == LinkKind::udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (link->fd_ < 0) return {nullptr, system_error("socket")};
    if (auto e = connect_to(link->fd_, to, o.timeout); !e.empty())
        return {nullptr, (via_proxy ? "proxy " + to.to_string() + ": " : "") + e};
    if (o.kind != LinkKind::udp) {
        const int on = 1;
        ::setsockopt(link->fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        link->framer_ = std::make_unique<turn::StreamFramer>();
    }
    if (via_proxy)
        if (auto e = tunnel(link->fd_, o); !e.empty()) return {nullptr, e};
    sockaddr_storage s{};
    socklen_t len = sizeof s;
    ::getsockname(link->fd_, reinterpret_cast<sockaddr*>(&s), &len);
    link->local_ = from_socket_address(s);
    if (o.kind != LinkKind::tls) return {std::move(link), {}};

    link->ctx_ = SSL_CTX_new(TLS_client_method());
    if (!link->ctx_) return {nullptr, "TLS: " + ssl_error()};
    // A write the socket takes only in part is finished later from a queue that may move.
    SSL_CTX_set_mode(link->ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_min_proto_version(link->ctx_, TLS1_2_VERSION);
    SSL_CTX_set_verify(link->ctx_, SSL_VERIFY_PEER, nullptr);
    const bool trust = o.ca_file.empty() ? SSL_CTX_set_default_verify_paths(link->ctx_) == 1
                                         : SSL_CTX_load_verify_locations(link->ctx_, o.ca_file.c_str(), nullptr) == 1;
    if (!trust) return {nullptr, "TLS: cannot load the trusted certificates" + (o.ca_file.empty() ? "" : " of " + o.ca_file)};
    std::string alpn;
    for (const auto& p : o.alpn) alpn += static_cast<char>(p.size()) + p;
    SSL_CTX_set_alpn_protos(link->ctx_, reinterpret_cast<const unsigned char*>(alpn.data()),
                            static_cast<unsigned>(alpn.size()));
    link->ssl_ = SSL_new(link->ctx_);
    SSL_set_fd(link->ssl_, link->fd_);
    if (!IpAddress::parse(o.host)) SSL_set_tlsext_host_name(link->ssl_, o.host.c_str());
    X509_VERIFY_PARAM* param = SSL_get0_param(link->ssl_);
    if (IpAddress::parse(o.host)) X509_VERIFY_PARAM_set1_ip_asc(param, o.host.c_str());
    else X509_VERIFY_PARAM_set1_host(param, o.host.c_str(), 0);
    const auto deadline = Clock::now() + o.timeout;
    for (;;) {
        ERR_clear_error();
        const int r = SSL_connect(link->ssl_);
        if (r == 1) break;
        const int e = SSL_get_error(link->ssl_, r);
        const short wait = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (wait == 0) {
            const long verify = SSL_get_verify_result(link->ssl_);
            if (verify != X509_V_OK) return {nullptr, std::string("certificate not trusted: ") + X509_verify_cert_error_string(verify)};
            return {nullptr, "TLS: " + ssl_error()};
        }
        if (!wait_for(link->fd_, wait, left_until(deadline))) return {nullptr, "TLS handshake: no answer in time"};
    }
    return {std::move(link), {}};
}

ProbeLink::~ProbeLink() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
}

std::string ProbeLink::negotiated_alpn() const {
    if (!ssl_) return {};
    const unsigned char* p = nullptr;
    unsigned n = 0;
    SSL_get0_alpn_selected(ssl_, &p, &n);
    return std::string(reinterpret_cast<const char*>(p), n);
}

bool ProbeLink::write_pending() {
    while (!pending_.empty() && !failed_) {
        long n;
        if (ssl_) {
            ERR_clear_error();
            const int r = SSL_write(ssl_, pending_.data(), static_cast<int>(std::min<std::size_t>(pending_.size(), 1 << 20)));
            if (r <= 0) {
                const int e = SSL_get_error(ssl_, r);
                if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
                    write_waits_for_ = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
                    return true;
                }
                failed_ = true;
                return false;
            }
            n = r;
        } else {
            n = ::send(fd_, pending_.data(), pending_.size(), MSG_NOSIGNAL);
            if (n < 0) {
                write_waits_for_ = POLLOUT;
                if (errno == EAGAIN) return true;
                failed_ = true;
                return false;
            }
        }
        pending_.erase(pending_.begin(), pending_.begin() + n);
    }
    return !failed_;
}

bool ProbeLink::flush() { return write_pending() && pending_.empty(); }

bool ProbeLink::send(std::span<const std::uint8_t> bytes, bool wait) {
    if (bytes.empty() || failed_) return false;
    if (kind_ == LinkKind::udp) return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    if (!wait && pending_.size() + bytes.size() > (1 << 20)) return false;
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    if (!write_pending()) return false;
    const auto deadline = Clock::now() + milliseconds(5000);
    while (wait && !pending_.empty()) {
        if (!wait_for(fd_, write_waits_for_, left_until(deadline))) return false;
        if (!write_pending()) return false;
    }
    return true;
}

long ProbeLink::read_some(std::uint8_t* into, std::size_t n, milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (ssl_) {
            const int r = SSL_read(ssl_, into, static_cast<int>(n));
            if (r > 0) return r;
            const int e = SSL_get_error(ssl_, r);
            if (e == SSL_ERROR_ZERO_RETURN) return 0;
            const short wait = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
            if (wait == 0) return 0;
            if (!wait_for(fd_, wait, left_until(deadline))) return -1;
            continue;
        }
        const ssize_t r = ::recv(fd_, into, n, 0);
        if (r >= 0) return r;
        if (errno != EAGAIN) return 0;
        if (!wait_for(fd_, POLLIN, left_until(deadline))) return -1;
    }
}

std::optional<std::vector<std::uint8_t>> ProbeLink::receive(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    if (kind_ == LinkKind::udp) {
        // An empty datagram or an ICMP error (refused) is no answer: wait on for one.
        std::vector<std::uint8_t> buf(65536);
        for (;;) {
            const long n = read_some(buf.data(), buf.size(), left_until(deadline));
            if (n > 0) {
                buf.resize(static_cast<std::size_t>(n));
                return buf;
            }
            if (n < 0 || Clock::now() >= deadline) return std::nullopt;
        }
    }
    for (;;) {
        const auto frame = framer_->next();
        if (frame.status == turn::StreamFramer::Frame::Status::message)
            return std::vector<std::uint8_t>(frame.bytes.begin(), frame.bytes.end());
        if (frame.status == turn::StreamFramer::Frame::Status::invalid) return std::nullopt;
        auto room = framer_->writable();
        const long n = read_some(room.data(), room.size(), left_until(deadline));
        if (n <= 0) return std::nullopt;
        framer_->commit(static_cast<std::size_t>(n));
    }
}

std::string ProbeLink::read_all(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string out;
    std::uint8_t buf[4096];
    while (out.size() < (1 << 20)) {
        const long n = read_some(buf, sizeof buf, left_until(deadline));
        if (n <= 0) break;
        out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
    }
    return out;
}

}  // namespace hallpass::relay::probe
