#include "relay/check/check_credentials.hpp"

#include <algorithm>
#include <string>

#include "turn/probe_credentials.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::relay {
namespace {

namespace json = boost::json;

// The address a client should use for a listener: its own, or for a wildcard one the
// address this client's request reached (an IPv4 client on a dual-stack [::] socket reached
// an IPv4 address). Empty when that is of the other family: the page reaches the server by
// its name anyway.
std::string reachable_address(const TransportAddress& listener, const TransportAddress& reached) {
    if (!listener.ip.is_wildcard()) return listener.ip.to_string();
    const IpAddress ip = reached.ip.unmapped();
    return ip.family == listener.ip.family ? ip.to_string() : std::string();
}

struct Offered {
    std::string protocol;
    std::uint16_t port;
    std::string address;
};

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// One entry per protocol and port: a listener on 0.0.0.0 and one on [::] are one choice
// for a browser that reaches the server by name.
std::vector<Offered> offered(const config::Config& c, const TransportAddress& reached) {
    std::vector<Offered> out;
    auto add = [&](const char* protocol, const TransportAddress& a) {
        Offered o{protocol, a.port, reachable_address(a, reached)};
        const auto known = std::find_if(out.begin(), out.end(), [&](const Offered& x) {
            return x.protocol == o.protocol && x.port == o.port;
        });
        if (known == out.end()) out.push_back(std::move(o));
        else if (known->address.empty()) known->address = o.address;
    };
    for (const auto& a : c.listen.udp) add("udp", a);
    for (const auto& l : c.listen.tcp) add("tcp", l.address);
    for (const auto& l : c.listen.tls) add("tls", l.address);
    return out;
}

}  // namespace

json::array relay_addresses_for_firewalls(const config::Config& c) {
    json::array out;
    for (const auto& range : c.relay.ranges) {
        bool advertised = false;
        for (const auto& entry : c.relay.advertise) {
            if (!range.contains(entry.bound)) continue;
            advertised = true;
            const std::string public_ip = entry.public_ip.to_string() + (entry.public_ip.is_v4() ? "/32" : "/128");
            if (std::find(out.begin(), out.end(), json::value(public_ip)) == out.end()) out.emplace_back(public_ip);
        }
        if (!advertised) out.emplace_back(range.to_string());
    }
    return out;
}

json::object check_offer(const config::Config& c, const CheckRequester& requester) {
    json::object o;
    o["client"] = requester.client.unmapped().to_string();
    json::array transports;
    json::array stun;
    for (const auto& t : offered(c, requester.local)) {
        transports.push_back(json::object{{"name", upper(t.protocol) + " " + std::to_string(t.port)},
                                          {"protocol", t.protocol},
                                          {"port", t.port},
                                          {"address", t.address}});
        if (t.protocol == "udp") stun.push_back(json::object{{"port", t.port}, {"address", t.address}});
    }
    o["transports"] = std::move(transports);
    o["stun"] = std::move(stun);
    o["relay"] = json::object{{"addresses", relay_addresses_for_firewalls(c)},
                              {"ports", json::object{{"min", c.relay.ports.min}, {"max", c.relay.ports.max}}}};
    return o;
}

json::object check_credentials(const RuntimeSnapshot& snapshot, const CheckRequester& requester,
                               std::int64_t now_unix, std::string_view nonce) {
    const std::int64_t ttl = snapshot.config().check.credential_lifetime;
    const std::string username = turn::probe_username(now_unix + ttl, nonce, requester.client.unmapped());
    json::object o;
    o["username"] = username;
    o["credential"] = turn::rest_password(snapshot.credentials().policy().probe_key, username);
    o["ttl"] = ttl;
    o["expires"] = now_unix + ttl;
    for (auto& [key, value] : check_offer(snapshot.config(), requester)) o[key] = std::move(value);
    return o;
}

}  // namespace hallpass::relay
