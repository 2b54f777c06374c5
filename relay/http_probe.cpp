#include "relay/http_probe.hpp"

#include <algorithm>
#include <array>

namespace hallpass::relay {
namespace {

// The first four bytes of each HTTP/1.x method (RFC 9110 §9, RFC 5789 for PATCH).
constexpr std::array<std::string_view, 9> method_prefixes = {
    "GET ", "HEAD", "POST", "PUT ", "DELE", "OPTI", "PATC", "CONN", "TRAC"};
constexpr std::size_t prefix_size = 4;

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
bool is_visible(char c) { return c > 0x20 && c < 0x7F; }

HttpParse invalid(std::string_view reason) {
    return HttpParse{HttpParse::Status::invalid, {}, ParseError{"HTTP", reason}};
}

// method SP request-target SP HTTP-version (RFC 9112 §3).
HttpParse parse_request_line(std::string_view line) {
    const auto first_space = line.find(' ');
    if (first_space == std::string_view::npos) return invalid("request line has no spaces");
    const auto method = line.substr(0, first_space);
    if (method.empty() || !std::all_of(method.begin(), method.end(), is_tchar))
        return invalid("method is not a token");
    const auto rest = line.substr(first_space + 1);
    const auto second_space = rest.find(' ');
    if (second_space == std::string_view::npos) return invalid("request line has no version");
    const auto target = rest.substr(0, second_space);
    if (target.empty() || !std::all_of(target.begin(), target.end(), is_visible))
        return invalid("request target is empty or not visible ASCII");
    const auto version = rest.substr(second_space + 1);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return invalid("version is not HTTP/1.x");
    return HttpParse{HttpParse::Status::done, HttpRequestHead{method, target, 0}, {}};
}

std::string response(std::string_view status, std::string_view body, bool with_body,
                     std::string_view extra_header = {}) {
    std::string r;
    r.reserve(160);
    r += "HTTP/1.1 ";
    r += status;
    r += "\r\nContent-Type: text/plain\r\nContent-Length: ";
    r += std::to_string(body.size());
    r += "\r\n";
    r += extra_header;
    r += "Connection: close\r\n\r\n";
    if (with_body) r += body;
    return r;
}

}  // namespace

FirstBytes classify_first_bytes(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return FirstBytes::need_more;
    const std::size_t n = std::min(bytes.size(), prefix_size);
    const bool known = std::any_of(method_prefixes.begin(), method_prefixes.end(),
                                   [&](std::string_view prefix) {
                                       return std::equal(bytes.begin(), bytes.begin() + n,
                                                         prefix.begin(), [](std::uint8_t a, char b) {
                                                             return a == static_cast<std::uint8_t>(b);
                                                         });
                                   });
    if (!known) return FirstBytes::turn;
    return n == prefix_size ? FirstBytes::http : FirstBytes::need_more;
}

HttpParse parse_http_request_head(std::span<const std::uint8_t> bytes) {
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()),
                                std::min(bytes.size(), http_max_head_size));
    // The request line is checked as soon as it is whole, so junk is refused early.
    const auto line_end = text.find("\r\n");
    if (line_end == std::string_view::npos) {
        if (text.size() >= http_max_head_size) return invalid("head is longer than 8 KiB");
        return HttpParse{};
    }
    HttpParse parsed = parse_request_line(text.substr(0, line_end));
    if (parsed.status == HttpParse::Status::invalid) return parsed;

    // The blank line may be the one right after the request line (no headers).
    const auto blank = text.find("\r\n\r\n", line_end);
    if (blank == std::string_view::npos) {
        if (text.size() >= http_max_head_size) return invalid("head is longer than 8 KiB");
        return HttpParse{};
    }
    parsed.head.length = blank + 4;
    return parsed;
}

std::string http_response(const HttpRequestHead& request) {
    const bool get = request.method == "GET";
    const bool head = request.method == "HEAD";
    if (!get && !head)
        return response("405 Method Not Allowed", "method not allowed", true,
                        "Allow: GET, HEAD\r\n");
    const std::string_view path = request.path.substr(0, request.path.find('?'));
    if (path == "/healthz") return response("200 OK", "ok", get);
    return response("404 Not Found", "not found", get);
}

}  // namespace hallpass::relay
