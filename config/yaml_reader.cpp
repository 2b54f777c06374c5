// Strict YAML reading with key paths; see yaml_reader.hpp.
#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "config/config_loader.hpp"

namespace hallpass::config::detail {

Origin::Origin(std::string file, std::vector<std::string> overridden)
    : file_(std::move(file)), overridden_(std::move(overridden)) {}

// "listen.udp[0]" counts as overridden by "listen.udp".
bool Origin::overridden(std::string_view key) const {
    return std::any_of(overridden_.begin(), overridden_.end(), [&](const std::string& o) {
        if (key.substr(0, o.size()) != o) return false;
        return key.size() == o.size() || key[o.size()] == '.' || key[o.size()] == '[';
    });
}

void Origin::fail(std::string_view key, std::initializer_list<std::string_view> involved,
                  std::string_view reason) const {
    const auto n = std::count_if(involved.begin(), involved.end(),
                                 [&](std::string_view k) { return overridden(k); });
    const auto all = static_cast<std::ptrdiff_t>(involved.size());
    const std::string source = n == 0     ? file_
                               : n == all ? "command line"
                                          : file_ + " + command line";
    std::string message = source + ": ";
    if (!key.empty()) message += std::string(key) + ": ";
    throw ConfigError(message + std::string(reason));
}

std::string join_path(std::string_view parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    return std::string(parent) + "." + std::string(key);
}

std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Scalar:
            return "\"" + node.Scalar() + "\"";
        default:
            return "nothing";
    }
}

Section::Section(const Field& field, std::initializer_list<std::string_view> allowed)
    // An absent key gives yaml-cpp's "invalid" node, on which most calls throw; keep a
    // plain null instead: an absent section means "all defaults".
    : origin_(field.origin), node_(field.present() ? field.node : YAML::Node()), path_(field.path) {
    if (!field.present()) return;
    if (!node_.IsMap()) field.fail("must be a mapping (got " + describe(node_) + ")");
    check_keys(allowed);
}

void Section::check_keys(std::initializer_list<std::string_view> allowed) const {
    std::set<std::string> seen;
    for (const auto& kv : node_) {
        if (!kv.first.IsScalar()) origin_->fail(path_, "keys must be plain names");
        const std::string& key = kv.first.Scalar();
        const std::string path = join_path(path_, key);
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            std::string names;
            for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
            origin_->fail(path, "unknown key (expected one of: " + names + ")");
        }
        // yaml-cpp keeps duplicates silently; one of them would win unnoticed.
        if (!seen.insert(key).second) origin_->fail(path, "duplicate key");
    }
}

Field Section::operator[](std::string_view key) const {
    const std::string path = join_path(path_, key);
    if (!node_.IsMap()) return Field{origin_, YAML::Node(), path};
    // Const lookup: never inserts, gives an undefined node when the key is absent.
    const YAML::Node& map = node_;
    return Field{origin_, map[std::string(key)], path};
}

std::optional<std::string> read_string(const Field& f) {
    if (!f.present()) return std::nullopt;
    if (!f.node.IsScalar()) f.fail("must be a single value (got " + describe(f.node) + ")");
    return f.node.Scalar();
}

std::string read_required_string(const Field& f) {
    auto text = read_string(f);
    if (!text) f.fail("required key is missing");
    if (text->empty()) f.fail("must not be empty");
    return *text;
}

std::uint32_t read_uint(const Field& f, std::uint32_t lo, std::uint32_t hi,
                        std::uint32_t fallback) {
    const auto text = read_string(f);
    if (!text) return fallback;
    const char* end = text->data() + text->size();
    long long value = 0;
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    const std::string range = std::to_string(lo) + " and " + std::to_string(hi);
    if (text->empty() || ptr != end || (ec != std::errc{} && ec != std::errc::result_out_of_range))
        f.fail("must be an integer between " + range + " (got " + describe(f.node) + ")");
    if (ec == std::errc::result_out_of_range || value < lo || value > hi)
        f.fail("must be between " + range + " (got " + *text + ")");
    return static_cast<std::uint32_t>(value);
}

bool read_bool(const Field& f, bool fallback) {
    const auto text = read_string(f);
    if (!text) return fallback;
    if (*text == "true" || *text == "True" || *text == "TRUE") return true;
    if (*text == "false" || *text == "False" || *text == "FALSE") return false;
    f.fail("must be true or false (got " + describe(f.node) + ")");
}

std::vector<Field> read_list(const Field& f) {
    std::vector<Field> items;
    if (!f.present()) return items;
    if (!f.node.IsSequence()) f.fail("must be a list (got " + describe(f.node) + ")");
    for (std::size_t i = 0; i < f.node.size(); ++i) {
        Field item{f.origin, f.node[i], f.path + "[" + std::to_string(i) + "]"};
        // A bare "-" would otherwise read as a missing key, which misleads.
        if (!item.present()) item.fail("must not be empty");
        items.push_back(std::move(item));
    }
    return items;
}

}  // namespace hallpass::config::detail
