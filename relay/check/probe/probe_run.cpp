#include "relay/check/probe/probe_run.hpp"

#include <poll.h>

#include <algorithm>
#include <boost/beast/http.hpp>
#include <cstring>

#include "alloc/cidr_block.hpp"
#include "relay/check/offered_transports.hpp"
#include "relay/check/probe/probe_session.hpp"

namespace hallpass::relay::probe {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using Kind = turn::ClientResult::Kind;

constexpr std::size_t packet_bytes = 1200;
constexpr double target_bps = 1'500'000;
constexpr std::uint32_t echo_every = 3;
constexpr std::size_t echo_bytes = 160;
constexpr std::uint16_t channel = 0x4000;

using Offered = OfferedTransport;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// UDP and TCP go to the address the server gave (or the host name when it gave none); TLS
// to the host name, which its certificate carries.
LinkOptions link_to(const ProbeTarget& target, const Offered& t) {
    LinkOptions o;
    o.kind = t.protocol == "udp" ? LinkKind::udp : t.protocol == "tcp" ? LinkKind::tcp : LinkKind::tls;
    o.host = o.kind == LinkKind::tls || t.address.empty() ? target.host : t.address;
    o.port = t.port;
    if (o.kind != LinkKind::udp) o.proxy = target.proxy;
    o.alpn = {"stun.turn"};
    o.ca_file = target.ca_file;
    o.timeout = target.timeout;
    return o;
}

struct Allocated {
    std::unique_ptr<ProbeSession> session;
    TransportAddress relayed;
    double ms = 0;
    std::string error;
    bool answered = false;  // the server answered with an error: the network let it through
};

std::string refusal(const turn::ClientResult& r) {
    if (r.kind == Kind::not_mine) return "no answer";
    return std::to_string(static_cast<int>(r.code)) + " " + std::string(stun::reason_of(r.code));
}

Allocated allocate(const ProbeTarget& target, const Offered& t, const ProbeCredentials& c) {
    const auto start = Clock::now();
    auto opened = ProbeLink::open(link_to(target, t));
    if (!opened.link) return {nullptr, {}, 0, opened.error};
    if (t.protocol == "tls" && opened.link->negotiated_alpn() != "stun.turn" && !opened.link->negotiated_alpn().empty())
        return {nullptr, {}, 0, "the server chose ALPN " + opened.link->negotiated_alpn()};
    auto session = std::make_unique<ProbeSession>(std::move(opened.link), c.username, c.password);
    const auto r = session->allocate(target.timeout);
    if (r.kind != Kind::success || !r.relayed) return {nullptr, {}, 0, refusal(r), r.kind != Kind::not_mine};
    return {std::move(session), *r.relayed, ms_since(start), {}};
}

json::object stun_binding(const ProbeTarget& target, const std::vector<Offered>& offered) {
    const auto udp = std::find_if(offered.begin(), offered.end(), [](const Offered& t) { return t.protocol == "udp"; });
    if (udp == offered.end()) return {{"tried", false}};
    const auto start = Clock::now();
    auto opened = ProbeLink::open(link_to(target, *udp));
    if (!opened.link) return {{"tried", true}, {"ok", false}, {"error", opened.error}};
    ProbeSession session(std::move(opened.link), "", "");
    const auto r = session.binding(target.timeout);
    if (r.kind != Kind::success || !r.mapped) return {{"tried", true}, {"ok", false}, {"error", refusal(r)}};
    return {{"tried", true}, {"ok", true}, {"reflexive", r.mapped->to_string()}, {"rtt_ms", std::lround(ms_since(start))}};
}

void put_u32(std::uint8_t* p, std::uint32_t v) { std::memcpy(p, &v, 4); }
std::uint32_t get_u32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
void put_i64(std::uint8_t* p, std::int64_t v) { std::memcpy(p, &v, 8); }
std::int64_t get_i64(const std::uint8_t* p) {
    std::int64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}

// Takes what has arrived on a session, at most 256 messages (a server that floods cannot
// keep the caller from its deadline): each payload goes to `on_payload`.
template <class F>
void drain(ProbeSession& s, F&& on_payload) {
    for (int n = 0; n < 256; ++n) {
        auto bytes = s.link().receive(milliseconds(0));
        if (!bytes) return;
        const auto in = turn::TurnClient::parse_incoming(*bytes);
        if (in && in->payload.size() >= 12) on_payload(in->payload);
    }
}

// Two allocations on one transport; `a` is the lesson's media server sending a classroom
// stream toward `b`, the student, who answers with small packets.
json::object media_through(const ProbeTarget& target, const Offered& t, const ProbeCredentials& c) {
    json::object result{{"transport", t.name}, {"connected", false}};
    auto a = allocate(target, t, c);
    auto b = allocate(target, t, c);
    if (!a.session || !b.session) return result;
    for (auto* x : {&a, &b}) {
        const auto& other = x == &a ? b.relayed : a.relayed;
        if (x->session->permit(other).kind != Kind::success) return result;
        if (x->session->bind_channel(channel, other).kind != Kind::success) return result;
    }
    result["connected"] = true;
    std::uint32_t sent = 0, received = 0;
    std::vector<double> rtts;
    double jitter = 0;
    std::optional<double> last_delay;
    std::vector<std::uint8_t> packet(packet_bytes, 0x5a);
    std::vector<std::uint8_t> echo(echo_bytes, 0xa5);
    const double per_second = target_bps / 8 / packet_bytes;
    const auto start = Clock::now();
    const auto stop_sending = start + target.media;
    const auto stop = stop_sending + milliseconds(500);  // the last packets in flight
    while (Clock::now() < stop) {
        if (Clock::now() < stop_sending) {
            const auto due = static_cast<std::uint32_t>(ms_since(start) / 1000 * per_second);
            for (; sent < due; ++sent) {
                put_u32(packet.data(), sent);
                put_i64(packet.data() + 4, now_us());
                a.session->send_channel_data(channel, packet);
            }
        }
        a.session->link().flush();
        b.session->link().flush();
        pollfd fds[2] = {{a.session->link().fd(), POLLIN, 0}, {b.session->link().fd(), POLLIN, 0}};
        ::poll(fds, 2, 2);
        drain(*b.session, [&](std::span<const std::uint8_t> p) {
            ++received;
            const double delay = static_cast<double>(now_us() - get_i64(p.data() + 4)) / 1000;
            if (last_delay) jitter += (std::abs(delay - *last_delay) - jitter) / 16;  // RFC 3550 §6.4.1
            last_delay = delay;
            if (get_u32(p.data()) % echo_every == 0) {
                std::copy(p.begin(), p.begin() + 12, echo.begin());
                b.session->send_channel_data(channel, echo);
            }
        });
        drain(*a.session, [&](std::span<const std::uint8_t> p) {
            rtts.push_back(static_cast<double>(now_us() - get_i64(p.data() + 4)) / 1000);
        });
    }
    const double seconds = std::chrono::duration<double>(target.media).count();
    result["sent"] = sent;
    result["received"] = received;
    result["kbps"] = std::lround(received * packet_bytes * 8 / seconds / 1000);
    result["jitter_ms"] = std::round(jitter * 10) / 10;
    if (!rtts.empty()) {
        std::nth_element(rtts.begin(), rtts.begin() + static_cast<long>(rtts.size() / 2), rtts.end());
        result["rtt_ms"] = std::lround(rtts[rtts.size() / 2]);
    }
    return result;
}

// An allocation over a working transport lets in UDP from this host's address; a plain UDP
// socket then sends to its relay address. Only the relay range being reachable over UDP
// lets the datagrams arrive.
json::object direct_udp(const ProbeTarget& target, const Offered& t, const ProbeCredentials& c,
                        const std::optional<IpAddress>& public_ip) {
    auto a = allocate(target, t, c);
    if (!a.session) return {{"tried", true}, {"ok", false}, {"error", "no allocation: " + a.error}};
    LinkOptions o;
    o.kind = LinkKind::udp;
    o.host = a.relayed.ip.to_string();
    o.port = a.relayed.port;
    auto opened = ProbeLink::open(o);
    if (!opened.link) return {{"tried", true}, {"ok", false}, {"error", opened.error}};
    const IpAddress from = public_ip.value_or(opened.link->local().ip);
    // Refused when neither the address the credentials were minted for nor the one the
    // allocation comes from is this host's UDP address: then the path is not tested,
    // rather than reported blocked.
    if (a.session->permit({from, 0}).kind != Kind::success)
        return {{"tried", false}, {"error", "the server refused a permission for " + from.to_string()}};
    const std::vector<std::uint8_t> hello(100, 0x42);
    const auto deadline = Clock::now() + milliseconds(3000);
    for (int i = 0; Clock::now() < deadline; ++i) {
        if (i % 10 == 0) opened.link->send(hello);  // every 100 ms
        bool got = false;
        drain(*a.session, [&](std::span<const std::uint8_t> p) { got = got || p.size() == hello.size(); });
        if (got) return {{"tried", true}, {"ok", true}};
        ::poll(nullptr, 0, 10);
    }
    return {{"tried", true}, {"ok", false}};
}

}  // namespace

FetchedOffer fetch_offer(const ProbeTarget& target, std::uint16_t tls_port) {
    LinkOptions o;
    o.kind = LinkKind::tls;
    o.host = target.host;
    o.port = tls_port;
    o.proxy = target.proxy;
    o.alpn = {"http/1.1"};
    o.ca_file = target.ca_file;
    o.timeout = target.timeout;
    auto opened = ProbeLink::open(o);
    if (!opened.link) return {{}, {}, "cannot reach https://" + target.host + ":" + std::to_string(tls_port) + "/: " + opened.error};
    const std::string request = "POST /check/credentials HTTP/1.1\r\nHost: " + target.host +
                                "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n"
                                "User-Agent: hallpass-probe\r\n\r\n{}";
    opened.link->send(std::span(reinterpret_cast<const std::uint8_t*>(request.data()), request.size()));
    return parse_offer_answer(opened.link->read_all(target.timeout));
}

namespace {

// The offer must be what relay/check/check_credentials.hpp writes: a server could send anything.
bool valid_offer(const json::object& offer) {
    for (const char* key : {"username", "credential"})
        if (!offer.contains(key) || !offer.at(key).is_string() || offer.at(key).get_string().size() > 512) return false;
    const auto* transports = offer.if_contains("transports");
    if (!transports || !transports->is_array() || transports->get_array().size() > 16) return false;
    for (const auto& v : transports->get_array()) {
        const auto* t = v.if_object();
        if (!t) return false;
        for (const char* key : {"name", "protocol", "address"})
            if (!t->contains(key) || !t->at(key).is_string() || t->at(key).get_string().size() > 64) return false;
        // Where the probe will connect: an IP literal, or empty for the host it was given.
        const std::string address(t->at("address").get_string());
        if (!address.empty() && !IpAddress::parse(address)) return false;
        const std::string name(t->at("name").get_string());
        if (std::any_of(name.begin(), name.end(), [](char c) { return c < 0x20 || c > 0x7e; })) return false;
        const auto& protocol = t->at("protocol").get_string();
        if (protocol != "udp" && protocol != "tcp" && protocol != "tls") return false;
        const auto* port = t->if_contains("port");
        if (!port || !port->is_int64() || port->get_int64() < 1 || port->get_int64() > 65535) return false;
    }
    const auto* relay = offer.if_contains("relay");
    if (!relay || !relay->is_object()) return false;
    const auto* addresses = relay->get_object().if_contains("addresses");
    if (!addresses || !addresses->is_array() || addresses->get_array().size() > 64) return false;
    for (const auto& a : addresses->get_array())
        if (!a.is_string() || !alloc::CidrBlock::parse(std::string(a.get_string()))) return false;
    if (const auto* ports = relay->get_object().if_contains("ports")) {
        const auto* p = ports->if_object();
        if (!p) return false;
        for (const char* key : {"min", "max"}) {
            const auto* v = p->if_contains(key);
            if (!v || !v->is_int64() || v->get_int64() < 0 || v->get_int64() > 65535) return false;
        }
    }
    if (const auto* client = offer.if_contains("client"); client && !client->is_string()) return false;
    return true;
}

}  // namespace

FetchedOffer parse_offer_answer(std::string_view raw) {
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.eager(true);
    parser.body_limit(65536);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(raw.data(), raw.size()), ec);
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    if (ec || !parser.is_done()) return {{}, {}, "the server's answer to POST /check/credentials is not HTTP"};
    const auto& response = parser.get();
    if (response.result_int() == 429) {
        std::string wait(response[boost::beast::http::field::retry_after].substr(0, 6));
        if (wait.empty() || wait.find_first_not_of("0123456789") != std::string::npos) wait = "a few";
        return {{}, {}, "the server refused: too many checks from this address (try again in " + wait + " s)"};
    }
    if (response.result_int() != 200)
        return {{}, {}, "the server answered " + std::to_string(response.result_int()) +
                            " to POST /check/credentials (is check.enabled on? or give --user/--password or --secret)"};
    boost::system::error_code json_ec;
    boost::json::parse_options options;
    options.max_depth = 8;
    auto value = json::parse(response.body(), json_ec, {}, options);
    if (json_ec || !value.is_object() || !valid_offer(value.as_object()))
        return {{}, {}, "the server's credentials are not the JSON expected"};
    auto& offer = value.as_object();
    ProbeCredentials c{std::string(offer.at("username").as_string()), std::string(offer.at("credential").as_string())};
    return {std::move(offer), std::move(c), {}};
}

json::object local_offer(const std::string& host, std::uint16_t udp, std::uint16_t tcp, std::uint16_t tls) {
    const auto ip = resolve(host);
    const std::string address = ip ? ip->to_string() : "";
    json::array transports;
    auto add = [&](const char* name, const char* protocol, std::uint16_t port) {
        if (port == 0) return;
        transports.push_back(json::object{{"name", std::string(name) + " " + std::to_string(port)},
                                          {"protocol", protocol},
                                          {"port", port},
                                          {"address", address}});
    };
    add("UDP", "udp", udp);
    add("TCP", "tcp", tcp);
    add("TLS", "tls", tls);
    return {{"transports", std::move(transports)}, {"relay", json::object{{"addresses", json::array{}}}}};
}

ProbeOutcome run_probe(const ProbeTarget& target, json::object& offer, const ProbeCredentials& c) {
    const auto offered = offered_transports(offer);
    ProbeOutcome out;
    out.stun = stun_binding(target, offered);
    json::array transports;
    std::vector<Offered> working;
    std::vector<TransportAddress> relayed;
    for (const auto& t : offered) {
        auto a = allocate(target, t, c);
        if (a.session) {
            working.push_back(t);
            relayed.push_back(a.relayed);
        }
        transports.push_back(json::object{{"name", t.name},
                                          {"ok", a.session != nullptr},
                                          {"ms", a.session ? json::value(std::lround(a.ms)) : json::value(nullptr)},
                                          {"error", a.error},
                                          {"answered", a.answered}});
    }
    auto& relay = offer["relay"].as_object();
    if (relay["addresses"].as_array().empty())
        for (const auto& r : relayed) {
            const json::value cidr(r.ip.to_string() + (r.ip.is_v4() ? "/32" : "/128"));
            auto& list = relay["addresses"].as_array();
            if (std::find(list.begin(), list.end(), cidr) == list.end()) list.push_back(cidr);
        }
    const char* order[] = {"udp", "tcp", "tls"};
    std::stable_sort(working.begin(), working.end(), [&](const Offered& x, const Offered& y) {
        return std::find(order, order + 3, x.protocol) < std::find(order, order + 3, y.protocol);
    });
    json::array media;
    if (!working.empty()) media.push_back(media_through(target, working.front(), c));
    const auto tls = std::find_if(working.begin(), working.end(), [](const Offered& t) { return t.protocol == "tls"; });
    if (tls != working.end() && tls != working.begin()) media.push_back(media_through(target, *tls, c));
    json::object direct{{"tried", false}};
    if (!working.empty()) {
        // Where this host's UDP comes from: the reflexive address, else the address the
        // server saw the credentials asked from.
        std::optional<IpAddress> public_ip;
        if (out.stun.contains("reflexive"))
            if (auto mapped = TransportAddress::parse(std::string(out.stun["reflexive"].as_string()))) public_ip = mapped->ip;
        if (const auto* client = offer.if_contains("client"); !public_ip && client && client->is_string())
            public_ip = IpAddress::parse(std::string(client->get_string()));
        direct = direct_udp(target, working.front(), c, public_ip);
    }
    out.measured = {{"host", target.host},
                    {"proxy", target.proxy.has_value()},
                    {"reflexive", out.stun.contains("reflexive")
                                      ? json::value(TransportAddress::parse(std::string(out.stun["reflexive"].as_string()))->ip.to_string())
                                      : json::value(nullptr)},
                    {"transports", std::move(transports)},
                    {"media", std::move(media)},
                    {"direct_udp", std::move(direct)}};
    return out;
}

}  // namespace hallpass::relay::probe
