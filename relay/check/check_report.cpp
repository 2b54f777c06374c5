#include "relay/check/check_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "relay/check/offered_transports.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::relay {
namespace {

namespace json = boost::json;

ParseError bad(const char* reason) { return ParseError{"check report", reason}; }

const json::object* object_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v ? v->if_object() : nullptr;
}

std::optional<double> number_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_number()) return std::nullopt;
    const double d = v->to_number<double>();
    // Bounded, so that every later cast to a whole number is defined.
    return std::isfinite(d) && d >= 0 && d <= 1e9 ? std::optional(d) : std::nullopt;
}

bool flag_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_bool() && v->get_bool();
}

// Shown to people, in terminals, and copied into mails: printable ASCII only.
std::string printable(std::string_view text, std::size_t max) {
    std::string s(text.substr(0, max));
    std::replace_if(s.begin(), s.end(), [](char c) { return c < 0x20 || c > 0x7e; }, '?');
    return s;
}

std::string string_at(const json::object& o, std::string_view key, std::size_t max) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return {};
    return printable(v->get_string(), max);
}

using Offered = OfferedTransport;

const Offered* find(const std::vector<Offered>& list, std::string_view name) {
    for (const auto& o : list)
        if (o.name == name) return &o;
    return nullptr;
}

const char* transport_meaning(const std::string& protocol, const std::string& verdict) {
    if (verdict == "works") return "Lessons can use this path.";
    if (verdict == "refused")
        return "The network let it through, but the server refused the request: a matter for the lesson platform, not the school.";
    if (verdict == "slow") return "It connects, but slowly: joining a lesson takes longer.";
    if (protocol == "udp") return "UDP is blocked: calls fall back to TCP or TLS, and quality may drop.";
    if (protocol == "tls") return "The web port is closed to this server: where UDP is blocked too, lessons cannot connect.";
    return "Only needed where UDP is blocked; TLS can stand in for it.";
}

std::string media_verdict(const json::object& m) {
    if (!flag_at(m, "connected")) return "blocked";
    const double sent = number_at(m, "sent").value_or(0);
    const double received = number_at(m, "received").value_or(0);
    if (received <= 0 || sent <= 0) return "no-media";
    const double loss = std::max(0.0, 1.0 - received / sent);
    const double rtt = number_at(m, "rtt_ms").value_or(0);
    const double kbps = number_at(m, "kbps").value_or(0);
    if (loss > 0.05 || rtt > 400 || kbps < 0.7 * check_media_target_kbps) return "slow";
    return "works";
}

const char* media_meaning(const std::string& verdict) {
    if (verdict == "works") return "Video and sound get through at classroom quality.";
    if (verdict == "slow") return "Media gets through, but with loss or delay: expect frozen or blurry video.";
    if (verdict == "no-media")
        return "It connects but carries no media: something on this network (deep packet inspection) drops it. Video stays black.";
    return "The media connection could not be made.";
}

std::string percent(double fraction) { return std::to_string(static_cast<int>(std::lround(fraction * 100))) + " %"; }

std::string media_detail(const json::object& m) {
    if (!flag_at(m, "connected")) return "no connection";
    const double sent = number_at(m, "sent").value_or(0);
    const double received = number_at(m, "received").value_or(0);
    std::string d = std::to_string(static_cast<long>(number_at(m, "kbps").value_or(0))) + " kbit/s, loss " +
                    percent(sent > 0 ? std::max(0.0, 1.0 - received / sent) : 1.0);
    if (const auto rtt = number_at(m, "rtt_ms")) d += ", round trip " + std::to_string(static_cast<long>(*rtt)) + " ms";
    if (const auto jitter = number_at(m, "jitter_ms")) d += ", jitter " + std::to_string(static_cast<long>(std::lround(*jitter))) + " ms";
    return d;
}

struct Rule {
    std::string protocol, destination, ports, purpose, status;
};

std::string join_addresses(const json::object& offer) {
    std::string out;
    if (const auto* relay = object_at(offer, "relay"))
        if (const auto* list = relay->if_contains("addresses"); list && list->is_array())
            for (const auto& a : list->get_array())
                if (a.is_string()) out += (out.empty() ? "" : ", ") + printable(a.get_string(), 64);
    return out;
}

std::string relay_ports(const json::object& offer) {
    const auto* relay = object_at(offer, "relay");
    const auto* ports = relay ? object_at(*relay, "ports") : nullptr;
    if (!ports) return {};
    return std::to_string(static_cast<long>(number_at(*ports, "min").value_or(0))) + "-" +
           std::to_string(static_cast<long>(number_at(*ports, "max").value_or(0)));
}

}  // namespace

Result<json::object> check_report(const json::object& offer, const json::value& measured_value) {
    const auto* measured = measured_value.if_object();
    if (!measured) return bad("not a JSON object");
    const auto* transports = measured->if_contains("transports");
    if (!transports || !transports->is_array()) return bad("transports: missing");
    if (transports->get_array().size() > 16) return bad("transports: more than a check tries");
    const auto* media = measured->if_contains("media");
    if (media && (!media->is_array() || media->get_array().size() > 4)) return bad("media: not a short list");
    const auto offers = offered_transports(offer);

    json::array paths;
    std::vector<Rule> rules;
    std::string host = string_at(*measured, "host", 253);
    std::map<std::string, std::string> transport_status;  // by name: works, slow, blocked, refused
    bool any_refused = false;
    for (const auto& t : transports->get_array()) {
        const auto* o = t.if_object();
        if (!o) return bad("transports: an entry is not an object");
        const std::string name = string_at(*o, "name", 64);
        const Offered* known = find(offers, name);
        if (!known) return bad("transports: a name this server does not offer");
        const auto ms = number_at(*o, "ms");
        const bool ok = flag_at(*o, "ok");
        // An error answer (401, 403, 486...) came through the network: the server refused.
        const std::string verdict = ok                     ? (ms && *ms > 3000 ? "slow" : "works")
                                    : flag_at(*o, "answered") ? "refused"
                                                              : "blocked";
        transport_status[name] = verdict;
        any_refused = any_refused || verdict == "refused";
        std::string detail = ok && ms ? "relay address in " + std::to_string(static_cast<long>(*ms)) + " ms"
                                      : string_at(*o, "error", 200);
        if (detail.empty()) detail = "no answer";
        paths.push_back(json::object{{"name", "TURN over " + name},
                                     {"kind", "transport"},
                                     {"verdict", verdict},
                                     {"detail", detail},
                                     {"meaning", transport_meaning(known->protocol, verdict)}});
    }
    bool can_join = false;
    bool media_tried = false;
    if (media)
        for (const auto& m : media->get_array()) {
            const auto* o = m.if_object();
            if (!o) return bad("media: an entry is not an object");
            const std::string name = string_at(*o, "transport", 64);
            if (!find(offers, name)) return bad("media: a transport this server does not offer");
            media_tried = true;
            const std::string verdict = media_verdict(*o);
            can_join = can_join || verdict == "works" || verdict == "slow";
            paths.push_back(json::object{{"name", "Video test over " + name},
                                         {"kind", "media"},
                                         {"verdict", verdict},
                                         {"detail", media_detail(*o)},
                                         {"meaning", media_meaning(verdict)}});
        }
    std::string direct = "untested";
    if (const auto* d = object_at(*measured, "direct_udp"); d && flag_at(*d, "tried")) {
        direct = flag_at(*d, "ok") ? "works" : "blocked";
        paths.push_back(json::object{
            {"name", "UDP straight to the relay addresses"},
            {"kind", "direct"},
            {"verdict", direct},
            {"detail", direct == "works" ? "connected" : "no connection"},
            {"meaning", direct == "works" ? "Best quality: media can flow over UDP straight to the relay."
                                          : "Media has to go through the TURN connection instead: it works, with "
                                            "a little more delay."}});
    }

    // What to open, best first: UDP (TURN and the relay range), then TLS, then TCP.
    const bool proxy = flag_at(*measured, "proxy");
    // Web traffic and UDP leaving through different addresses: a web proxy, or a gateway of
    // its own for web traffic. (A proxy that is the only way out shows nothing: inside the
    // TLS tunnel nothing marks it, and there is no UDP to compare with.)
    const std::string web_from = string_at(offer, "client", 64);
    const std::string udp_from = string_at(*measured, "reflexive", 64);
    const auto web_ip = IpAddress::parse(web_from);
    const auto udp_ip = IpAddress::parse(udp_from);
    const bool web_elsewhere = web_ip && udp_ip && web_ip->unmapped() != udp_ip->unmapped();
    auto status_of = [&](const std::string& name) {
        const auto it = transport_status.find(name);
        if (it == transport_status.end()) return std::string("untested");
        return it->second == "blocked" ? std::string("blocked") : std::string("open");  // refused: it got through
    };
    auto destination = [&](const Offered& o) {
        if (o.address.empty()) return host.empty() ? std::string("this server") : host;
        if (host.empty() || host == o.address) return o.address;
        return host + " (" + o.address + ")";
    };
    for (const auto* protocol : {"udp", "tls", "tcp"}) {
        for (const auto& o : offers) {
            if (o.protocol != protocol) continue;
            const char* purpose = o.protocol == "udp"   ? "TURN and STUN over UDP (best quality)"
                                  : o.protocol == "tls" ? "TURN over TLS (works where only web traffic gets out)"
                                                        : "TURN over TCP";
            rules.push_back({o.protocol == "udp" ? "UDP" : "TCP", destination(o), std::to_string(o.port), purpose,
                             status_of(o.name)});
        }
        if (std::string_view(protocol) == "udp")
            rules.push_back({"UDP", join_addresses(offer), relay_ports(offer),
                             "media straight to the relay addresses (best quality)",
                             direct == "works" ? "open" : direct});
    }
    json::array allow;
    json::array blocked;
    std::string text = "Connection check for " + (host.empty() ? std::string("this server") : host) + "\n";
    text += can_join ? "Result: students on this network can join lessons.\n"
                     : "Result: students on this network cannot join lessons.\n";
    if (proxy) text += "The check went through a web proxy (HTTP CONNECT).\n";
    if (web_elsewhere)
        text += "Web traffic reached the server from " + web_from + ", UDP from " + udp_from +
                ": web traffic leaves through another address (a web proxy, or a gateway of its own).\n";
    text += "\nAllow these connections out, in order of preference:\n";
    int n = 0;
    for (const auto& r : rules) {
        allow.push_back(json::object{{"protocol", r.protocol},
                                     {"destination", r.destination},
                                     {"ports", r.ports},
                                     {"purpose", r.purpose},
                                     {"status", r.status}});
        // No ports: `hallpass probe` with its own credentials, where the server offered none
        // of its settings, knows the relay addresses it was given but not their port range.
        const std::string line = r.protocol + " to " + r.destination +
                                 (r.ports.empty()                           ? " (the relay port range: ask the server's operator)"
                                  : r.ports.find('-') == std::string::npos ? " port " + r.ports
                                                                            : " ports " + r.ports);
        if (r.status == "blocked") blocked.emplace_back(line);
        text += std::to_string(++n) + ". " + line + " - " + r.purpose + " - " +
                (r.status == "blocked" ? "BLOCKED on this network" : r.status == "open" ? "open" : "not tested") + "\n";
    }
    if (!blocked.empty()) text += "\nBlocked now: " + std::to_string(blocked.size()) + " of the above.\n";

    const bool udp_works = std::any_of(offers.begin(), offers.end(), [&](const Offered& o) {
        return o.protocol == "udp" && status_of(o.name) == "open";
    });
    std::string summary, advice;
    if (!can_join && !media_tried && any_refused) {
        summary = "The server refused the check's credentials.";
        advice = "The network let the requests through: check the credentials or the server's configuration.";
    } else if (!can_join) {
        summary = "Lessons cannot connect from this network.";
        advice = media_tried ? "A connection was made but no video got through. Give the details below to your IT department."
                             : "Nothing got through to the lesson server. Give the details below to your IT department.";
    } else if (udp_works) {
        summary = "This network is ready for lessons.";
        advice = direct == "blocked" ? "Quality can be better still: see the details for your IT department."
                                     : "Nothing to do.";
    } else {
        summary = "Lessons will work, over a fallback path.";
        advice = "UDP is blocked, so video goes over TCP or the web port: quality may drop with many students. "
                 "Give the details below to your IT department.";
        const bool only_tls = std::all_of(offers.begin(), offers.end(), [&](const Offered& o) {
            return o.protocol == "tls" || status_of(o.name) != "open";
        });
        if (only_tls)
            advice += " Only the web port (TLS) gets out: a firewall that lets only web traffic through does this, "
                      "and so does a web proxy.";
    }
    json::object out;
    out["can_join"] = can_join;
    out["summary"] = summary;
    out["advice"] = advice;
    out["proxy"] = proxy;
    out["web_address_differs"] = web_elsewhere;
    out["paths"] = std::move(paths);
    out["it"] = json::object{{"allow", std::move(allow)}, {"blocked", std::move(blocked)}, {"text", text}};
    return out;
}

}  // namespace hallpass::relay
