#include "bench/capacity_report.hpp"

#include "bench/json_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>
#include <vector>

namespace hallpass::bench {
namespace {

std::string fixed(double v, int digits) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", digits, v);
    return text;
}

std::string escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += ch;
        }
    }
    return out;
}

std::string json_decimal(double v) { return json_fixed(v, 4); }

std::vector<CapacityStep> by_students(const CapacitySearch& search) {
    auto steps = search.steps();
    std::sort(steps.begin(), steps.end(),
              [](const CapacityStep& a, const CapacityStep& b) { return a.classrooms < b.classrooms; });
    return steps;
}

std::string step_json(const CapacityStep& s, const CapacityLimits& limits) {
    std::string out = "{\"classrooms\":" + std::to_string(s.classrooms) + ",\"students\":" + std::to_string(s.students);
    out += ",\"set_up\":" + std::string(s.set_up ? "true" : "false");
    out += ",\"failure\":" + (s.set_up ? std::string("null") : json_quote(s.failure));
    out += ",\"loss_ratio\":" + json_decimal(s.loss_ratio) + ",\"jitter_ms\":" + json_decimal(s.jitter_ms);
    out += ",\"p50_ms\":" + json_decimal(s.p50_ms) + ",\"p99_ms\":" + json_decimal(s.p99_ms);
    out += ",\"bench_cpu_percent\":" + json_decimal(s.bench_cpu_percent);
    out += ",\"server_cpu_percent\":" + (s.server_cpu_percent ? json_decimal(*s.server_cpu_percent) : "null");
    out += ",\"server_rss_bytes\":" + (s.server_rss_bytes ? std::to_string(*s.server_rss_bytes) : "null");
    const auto crossed = crossed_limits(s, limits);
    out += ",\"within_limits\":" + std::string(crossed.empty() ? "true" : "false") + ",\"crossed\":[";
    for (std::size_t i = 0; i < crossed.size(); ++i) out += (i ? "," : "") + json_quote(crossed[i]);
    return out + "]}";
}

std::string answer_sentence(const CapacityAnswer& a) {
    if (!a.best) return "Not even the first step stayed within the limits: " + a.explanation + ".";
    return std::to_string(a.best->classrooms) + " classrooms (" + std::to_string(a.best->students) +
           " students) within the limits. Limiting factor: " + a.limiting_factor + ": " + a.explanation + ".";
}

// 1, 2, 2.5 or 5 times a power of ten, at least v: axis ends whose quarters read well.
double nice_ceiling(double v) {
    if (!(v > 0)) return 1;
    const double power = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * power >= v) return m * power;
    return 10 * power;
}

// One chart: students on x, each series' values on y, an optional dashed limit line.
struct Series {
    std::string name;
    std::string color;
    std::vector<std::pair<double, double>> points;
};

std::string chart(const std::string& id, const std::string& title, const std::string& y_label,
                  const std::vector<Series>& series, std::optional<double> limit) {
    constexpr double w = 640, h = 300, left = 64, right = 16, top = 36, bottom = 48;
    double max_x = 1, max_y = 0;
    std::size_t points = 0;
    for (const auto& s : series)
        for (const auto& [x, y] : s.points) {
            max_x = std::max(max_x, x);
            max_y = std::max(max_y, y);
            ++points;
        }
    if (limit) max_y = std::max(max_y, *limit);
    max_y = nice_ceiling(max_y * 1.1);
    max_x = nice_ceiling(max_x);
    const auto px = [&](double x) { return left + x / max_x * (w - left - right); };
    const auto py = [&](double y) { return h - bottom - y / max_y * (h - top - bottom); };
    std::ostringstream out;
    out << "<figure><svg class=\"chart\" id=\"" << id << "\" data-points=\"" << points << "\" viewBox=\"0 0 " << w << ' '
        << h << "\" role=\"img\" aria-label=\"" << escape(title) << "\">\n";
    out << "<text x=\"" << left << "\" y=\"20\" class=\"title\">" << escape(title) << "</text>\n";
    for (int i = 0; i <= 4; ++i) {  // grid and axis labels
        const double yv = max_y * i / 4, xv = max_x * i / 4;
        out << "<line class=\"grid\" x1=\"" << left << "\" x2=\"" << w - right << "\" y1=\"" << py(yv) << "\" y2=\""
            << py(yv) << "\"/><text class=\"tick\" x=\"" << left - 6 << "\" y=\"" << py(yv) + 4
            << "\" text-anchor=\"end\">" << fixed(yv, max_y < 4 ? 2 : max_y < 40 ? 1 : 0) << "</text>\n";
        out << "<text class=\"tick\" x=\"" << px(xv) << "\" y=\"" << h - bottom + 16 << "\" text-anchor=\"middle\">"
            << fixed(xv, 0) << "</text>\n";
    }
    out << "<text class=\"axis\" x=\"" << (left + w - right) / 2 << "\" y=\"" << h - 8
        << "\" text-anchor=\"middle\">students</text>\n";
    out << "<text class=\"axis\" transform=\"rotate(-90)\" x=\"" << -(top + h - bottom) / 2 << "\" y=\"14\" "
        << "text-anchor=\"middle\">" << escape(y_label) << "</text>\n";
    if (limit)
        out << "<line class=\"limit\" x1=\"" << left << "\" x2=\"" << w - right << "\" y1=\"" << py(*limit) << "\" y2=\""
            << py(*limit) << "\"><title>limit " << fixed(*limit, 2) << "</title></line>\n";
    double legend_x = left + 8;
    for (const auto& s : series) {
        out << "<polyline class=\"series\" data-series=\"" << escape(s.name) << "\" fill=\"none\" stroke=\"" << s.color
            << "\" stroke-width=\"2\" points=\"";
        for (const auto& [x, y] : s.points) out << fixed(px(x), 1) << ',' << fixed(py(y), 1) << ' ';
        out << "\"/>\n";
        for (const auto& [x, y] : s.points)
            out << "<circle cx=\"" << fixed(px(x), 1) << "\" cy=\"" << fixed(py(y), 1) << "\" r=\"3\" fill=\"" << s.color
                << "\"><title>" << fixed(x, 0) << " students: " << fixed(y, 2) << "</title></circle>\n";
        out << "<text class=\"legend\" x=\"" << legend_x << "\" y=\"" << top + 4 << "\" fill=\"" << s.color << "\">"
            << escape(s.name) << "</text>\n";
        legend_x += 12 + 8 * static_cast<double>(s.name.size());
    }
    out << "</svg></figure>\n";
    return out.str();
}

}  // namespace

std::string capacity_table(const CapacitySetup& setup, const CapacitySearch& search) {
    std::ostringstream out;
    out << "hallpass-bench capacity against " << setup.server << " (" << setup.mix << ", " << fixed(setup.step_seconds, 0)
        << " s a step)\n";
    char line[256];
    std::snprintf(line, sizeof line, "%10s %9s %8s %10s %8s %8s %11s %10s  %s\n", "classrooms", "students", "loss %",
                  "jitter ms", "p50 ms", "p99 ms", "server CPU", "bench CPU", "verdict");
    out << line;
    for (const auto& s : by_students(search)) {
        const auto crossed = crossed_limits(s, search.limits());
        std::string verdict = crossed.empty() ? "within limits" : crossed.front();
        // The verdict goes after the fixed columns: a refusal's text can be long.
        if (!s.set_up) {
            std::snprintf(line, sizeof line, "%10u %9u %8s %10s %8s %8s %11s %10s  ", s.classrooms, s.students, "-", "-",
                          "-", "-", "-", "-");
            out << line << verdict << '\n';
            continue;
        }
        std::snprintf(line, sizeof line, "%10u %9u %8s %10s %8s %8s %11s %10s  ", s.classrooms, s.students,
                      fixed(s.loss_ratio * 100, 3).c_str(), fixed(s.jitter_ms, 2).c_str(), fixed(s.p50_ms, 2).c_str(),
                      fixed(s.p99_ms, 2).c_str(),
                      s.server_cpu_percent ? (fixed(*s.server_cpu_percent, 0) + " %").c_str() : "-",
                      (fixed(s.bench_cpu_percent, 0) + " %").c_str());
        out << line << verdict << '\n';
    }
    out << answer_sentence(search.answer()) << '\n';
    return out.str();
}

std::string capacity_json(const CapacitySetup& setup, const CapacitySearch& search) {
    const auto a = search.answer();
    const auto& l = search.limits();
    std::string out = "{\"scenario\":\"capacity\",\"server\":" + json_quote(setup.server) +
                      ",\"mix\":" + json_quote(setup.mix) + ",\"step_seconds\":" + json_decimal(setup.step_seconds);
    out += ",\"limits\":{\"max_loss_ratio\":" + json_decimal(l.max_loss_ratio) +
           ",\"max_jitter_ms\":" + json_decimal(l.max_jitter_ms) + ",\"max_p99_ms\":" + json_decimal(l.max_p99_ms) +
           ",\"busy_cpu_percent\":" + json_decimal(l.busy_cpu_percent) + "}";
    out += ",\"classrooms\":" + (a.best ? std::to_string(a.best->classrooms) : "0");
    out += ",\"students\":" + (a.best ? std::to_string(a.best->students) : "0");
    out += ",\"server_cpu_percent\":" +
           (a.best && a.best->server_cpu_percent ? json_decimal(*a.best->server_cpu_percent) : "null");
    out += ",\"server_rss_bytes\":" +
           (a.best && a.best->server_rss_bytes ? std::to_string(*a.best->server_rss_bytes) : "null");
    out += ",\"limiting_factor\":" + json_quote(a.limiting_factor) + ",\"explanation\":" + json_quote(a.explanation);
    out += ",\"steps\":[";
    const auto steps = by_students(search);
    for (std::size_t i = 0; i < steps.size(); ++i) out += (i ? "," : "") + step_json(steps[i], l);
    return out + "]}\n";
}

std::string capacity_html(const CapacitySetup& setup, const CapacitySearch& search) {
    const auto steps = by_students(search);
    const auto& l = search.limits();
    Series loss{"loss %", "#c0392b", {}}, p50{"p50", "#2471a3", {}}, p99{"p99", "#7d3c98", {}},
        jitter{"jitter", "#117a65", {}}, server{"server CPU", "#b9770e", {}}, bench{"bench CPU", "#5d6d7e", {}};
    for (const auto& s : steps) {
        if (!s.set_up) continue;  // nothing was measured
        const double x = s.students;
        loss.points.emplace_back(x, s.loss_ratio * 100);
        p50.points.emplace_back(x, s.p50_ms);
        p99.points.emplace_back(x, s.p99_ms);
        jitter.points.emplace_back(x, s.jitter_ms);
        if (s.server_cpu_percent) server.points.emplace_back(x, *s.server_cpu_percent);
        bench.points.emplace_back(x, s.bench_cpu_percent);
    }
    std::vector<Series> cpu;
    if (!server.points.empty()) cpu.push_back(server);
    cpu.push_back(bench);
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        << "<title>hallpass capacity: " << escape(setup.server) << "</title>\n<style>\n"
        << "body{font-family:system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#1b2631}"
        << "svg.chart{width:100%;height:auto;border:1px solid #d5d8dc;background:#fff}"
        << ".grid{stroke:#eaecee}.limit{stroke:#c0392b;stroke-dasharray:6 4}.tick,.axis,.legend{font-size:12px}"
        << ".title{font-size:14px;font-weight:600}table{border-collapse:collapse}"
        << "td,th{padding:.2rem .6rem;border-bottom:1px solid #d5d8dc;text-align:right}td.verdict{text-align:left}"
        << ".answer{font-size:1.2rem;background:#eaf2f8;padding:.8rem;border-radius:.3rem}\n</style></head><body>\n";
    out << "<h1>How many students this server carries</h1>\n<p class=\"answer\" id=\"answer\">"
        << escape(answer_sentence(search.answer())) << "</p>\n";
    out << "<p>Server " << escape(setup.server) << "; students' transports " << escape(setup.mix) << "; each step "
        << fixed(setup.step_seconds, 0) << " s of the classroom profile (per student: audio 50 packets/s each way, "
        << "video 1.5 Mbit/s down as 30 frames/s). Limits: loss ≤ " << fixed(l.max_loss_ratio * 100, 2)
        << " %, jitter ≤ " << fixed(l.max_jitter_ms, 1) << " ms, one-way p99 ≤ " << fixed(l.max_p99_ms, 1)
        << " ms. Generated " << escape(setup.generated) << " by hallpass-bench.</p>\n";
    out << chart("loss", "Stream loss", "loss %", {loss}, l.max_loss_ratio * 100);
    out << chart("latency", "One-way latency and jitter (worst stream type)", "ms", {p50, p99, jitter}, l.max_p99_ms);
    out << chart("cpu", "CPU", "% of one core", cpu, std::nullopt);
    out << "<h2>Steps</h2>\n<table id=\"steps\"><tr><th>classrooms</th><th>students</th><th>loss %</th>"
        << "<th>jitter ms</th><th>p50 ms</th><th>p99 ms</th><th>server CPU %</th><th>server memory MiB</th>"
        << "<th>bench CPU %</th><th>verdict</th></tr>\n";
    for (const auto& s : steps) {
        const auto crossed = crossed_limits(s, l);
        if (!s.set_up) {
            out << "<tr><td>" << s.classrooms << "</td><td>" << s.students << "</td><td colspan=\"7\">not measured</td>"
                << "<td class=\"verdict\">" << escape(crossed.front()) << "</td></tr>\n";
            continue;
        }
        out << "<tr><td>" << s.classrooms << "</td><td>" << s.students << "</td><td>" << fixed(s.loss_ratio * 100, 3)
            << "</td><td>" << fixed(s.jitter_ms, 2) << "</td><td>" << fixed(s.p50_ms, 2) << "</td><td>"
            << fixed(s.p99_ms, 2) << "</td><td>" << (s.server_cpu_percent ? fixed(*s.server_cpu_percent, 0) : "-")
            << "</td><td>" << (s.server_rss_bytes ? fixed(static_cast<double>(*s.server_rss_bytes) / 1048576.0, 1) : "-")
            << "</td><td>" << fixed(s.bench_cpu_percent, 0) << "</td><td class=\"verdict\">"
            << escape(crossed.empty() ? "within limits" : crossed.front()) << "</td></tr>\n";
    }
    out << "</table>\n</body></html>\n";
    return out.str();
}

}  // namespace hallpass::bench
