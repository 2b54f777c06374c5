// The admin API's routes and its bearer token, driven without sockets through a fake backend.
#include "relay/admin/admin_api.hpp"

#include <gtest/gtest.h>

namespace hallpass::relay {
namespace {

namespace http = boost::beast::http;

struct FakeBackend : AdminBackend {
    std::string metrics() override { return "hallpass_workers 2\n"; }
    boost::json::object info() override { return {{"version", "test"}}; }
    ReloadReport reload() override {
        ++reloads;
        return next_reload;
    }
    boost::json::object drain() override {
        draining = true;
        return {{"draining", true}};
    }
    boost::json::array sessions(const std::string& user) override {
        last_user = user;
        return {boost::json::object{{"id", "0-1-1"}}};
    }
    std::optional<std::size_t> disconnect_session(const std::string& id) override {
        if (id != "0-1-1" && id != "0-2-1") return std::nullopt;
        return id == "0-1-1" ? 1 : 0;
    }
    std::size_t disconnect_user(const std::string& user) override {
        last_user = user;
        return 3;
    }
    bool ready() override { return !draining; }
    std::string token() override { return required_token; }
    bool open_metrics() override { return metrics_open; }

    int reloads = 0;
    bool metrics_open = false;
    ReloadReport next_reload;
    bool draining = false;
    std::string required_token;
    std::string last_user;
};

HttpRequest request(http::verb verb, std::string target, std::string bearer = "") {
    HttpRequest r(verb, target, 11);
    if (!bearer.empty()) r.set(http::field::authorization, "Bearer " + bearer);
    return r;
}

TEST(AdminApi, ServesMetricsHealthReadinessAndInfo) {
    FakeBackend b;
    auto metrics = handle_admin_request(request(http::verb::get, "/metrics"), b);
    EXPECT_EQ(metrics.result(), http::status::ok);
    EXPECT_EQ(metrics[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(metrics.body(), "hallpass_workers 2\n");
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/healthz"), b).result(), http::status::ok);
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/readyz"), b).result(), http::status::ok);
    b.draining = true;
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/readyz"), b).result(), http::status::service_unavailable);
    auto info = handle_admin_request(request(http::verb::get, "/info?pretty"), b);
    EXPECT_EQ(boost::json::parse(info.body()).at("version"), "test");
}

TEST(AdminApi, ReloadIsAPostAndAFailedOneIs422WithTheError) {
    FakeBackend b;
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/reload"), b).result(), http::status::method_not_allowed);
    EXPECT_EQ(b.reloads, 0);
    b.next_reload = {true, 2, "", {"peers.allow"}, {}};
    auto ok = handle_admin_request(request(http::verb::post, "/reload"), b);
    EXPECT_EQ(ok.result(), http::status::ok);
    EXPECT_EQ(boost::json::parse(ok.body()).at("changed").as_array().at(0), "peers.allow");
    b.next_reload = {false, 2, "/etc/hallpass.yaml: limits.allocations_per_user: must be ...", {}, {}};
    auto refused = handle_admin_request(request(http::verb::post, "/reload"), b);
    EXPECT_EQ(refused.result(), http::status::unprocessable_entity);
    EXPECT_EQ(std::string(boost::json::parse(refused.body()).at("error").as_string()), b.next_reload.error);
    EXPECT_EQ(b.reloads, 2);
}

TEST(AdminApi, SessionsDisconnectAndDrain) {
    FakeBackend b;
    auto list = handle_admin_request(request(http::verb::get, "/sessions?user=1700000000%3Astudent%207"), b);
    EXPECT_EQ(list.result(), http::status::ok);
    EXPECT_EQ(b.last_user, "1700000000:student 7");
    EXPECT_EQ(boost::json::parse(list.body()).at("sessions").as_array().size(), 1u);
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/sessions?user=%zz"), b).result(), http::status::bad_request);
    EXPECT_EQ(handle_admin_request(request(http::verb::delete_, "/sessions/0-1-1"), b).result(), http::status::ok);
    EXPECT_EQ(handle_admin_request(request(http::verb::delete_, "/sessions/0-2-1"), b).result(), http::status::not_found);
    EXPECT_EQ(handle_admin_request(request(http::verb::delete_, "/sessions/nonsense"), b).result(), http::status::bad_request);
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/sessions/0-1-1"), b).result(), http::status::method_not_allowed);
    auto user = handle_admin_request(request(http::verb::delete_, "/users/alice%40school/sessions"), b);
    EXPECT_EQ(user.result(), http::status::ok);
    EXPECT_EQ(b.last_user, "alice@school");
    EXPECT_EQ(boost::json::parse(user.body()).at("ended"), 3);
    EXPECT_EQ(handle_admin_request(request(http::verb::delete_, "/users//sessions"), b).result(), http::status::not_found);
    EXPECT_EQ(handle_admin_request(request(http::verb::delete_, "/users/a%2Fb/sessions"), b).result(), http::status::bad_request);
    EXPECT_EQ(handle_admin_request(request(http::verb::post, "/drain"), b).result(), http::status::ok);
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/readyz"), b).result(), http::status::service_unavailable);
}

TEST(AdminApi, PercentDecoding) {
    EXPECT_EQ(percent_decode("a%20b%3Ac"), "a b:c");
    EXPECT_EQ(percent_decode("plain+plus"), "plain+plus");
    EXPECT_FALSE(percent_decode("bad%2"));
    EXPECT_FALSE(percent_decode("bad%g0"));
}

TEST(AdminApi, UnknownPathsAre404) {
    FakeBackend b;
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/"), b).result(), http::status::not_found);
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/metrics/../info"), b).result(), http::status::not_found);
}

TEST(AdminApi, WithATokenEveryRequestMustCarryIt) {
    FakeBackend b;
    b.required_token = "0123456789abcdef-token";
    for (const char* path : {"/metrics", "/healthz", "/readyz", "/info"}) {
        auto r = handle_admin_request(request(http::verb::get, path), b);
        EXPECT_EQ(r.result(), http::status::unauthorized) << path;
        EXPECT_EQ(r[http::field::www_authenticate], "Bearer");
    }
    EXPECT_EQ(handle_admin_request(request(http::verb::post, "/reload"), b).result(), http::status::unauthorized);
    EXPECT_EQ(b.reloads, 0);
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/metrics", "0123456789abcdef-tokeN"), b).result(),
              http::status::unauthorized);
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/metrics", "0123456789abcdef-token-and-more"), b).result(),
              http::status::unauthorized);
    auto basic = request(http::verb::get, "/metrics");
    basic.set(http::field::authorization, "Basic 0123456789abcdef-token");
    EXPECT_EQ(handle_admin_request(basic, b).result(), http::status::unauthorized);
    EXPECT_EQ(handle_admin_request(request(http::verb::get, "/metrics", "0123456789abcdef-token"), b).result(),
              http::status::ok);
}

// admin.open_metrics: what Prometheus and a kubelet read needs no token; nothing else opens,
// not a POST to those paths, nor a path that only starts like them.
TEST(AdminApi, OpenMetricsLeavesEveryOtherRouteBehindTheToken) {
    FakeBackend b;
    b.required_token = "0123456789abcdef-token";
    b.metrics_open = true;
    for (const char* path : {"/metrics", "/healthz", "/readyz", "/metrics?x=1"})
        EXPECT_EQ(handle_admin_request(request(http::verb::get, path), b).result(), http::status::ok) << path;
    EXPECT_EQ(handle_admin_request(request(http::verb::head, "/readyz"), b).result(), http::status::ok);
    for (const char* path : {"/info", "/sessions", "/metricsx", "/healthz/../info"})
        EXPECT_EQ(handle_admin_request(request(http::verb::get, path), b).result(), http::status::unauthorized) << path;
    EXPECT_EQ(handle_admin_request(request(http::verb::post, "/drain"), b).result(), http::status::unauthorized);
    EXPECT_EQ(handle_admin_request(request(http::verb::post, "/metrics"), b).result(), http::status::unauthorized);
    EXPECT_EQ(handle_admin_request(request(http::verb::delete_, "/sessions/0-1-1"), b).result(), http::status::unauthorized);
    EXPECT_FALSE(b.draining);
}

}  // namespace
}  // namespace hallpass::relay
