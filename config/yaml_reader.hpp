// Strict, path-aware reading of a YAML tree for the config loader: every mapping declares
// its keys up front (unknown ones are errors, so typos cannot be silently ignored), and
// every error carries its source and dotted key path ("relay.ports.min", "listen.udp[1]").
// Internal to config/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hallpass::config::detail {

// Where values came from: the file, except keys that command-line overrides replaced.
class Origin {
public:
    Origin(std::string file, std::vector<std::string> overridden);

    const std::string& file() const { return file_; }
    // Throws ConfigError "<source>: <key>: <reason>".
    [[noreturn]] void fail(std::string_view key, std::string_view reason) const {
        fail(key, {key}, reason);
    }
    // For checks over several keys: the source is "command line" when every key
    // involved was overridden, the file when none was, else both.
    [[noreturn]] void fail(std::string_view key, std::initializer_list<std::string_view> involved,
                           std::string_view reason) const;
    // True when the key, or the list or mapping holding it, was set on the command line.
    bool overridden(std::string_view key) const;

private:
    std::string file_;
    std::vector<std::string> overridden_;
};

// A value found (or absent) at a key path. Absent and YAML null both mean "not given".
struct Field {
    const Origin* origin;
    YAML::Node node;
    std::string path;

    bool present() const { return node.IsDefined() && !node.IsNull(); }
    [[noreturn]] void fail(std::string_view reason) const { origin->fail(path, reason); }
};

// A mapping whose keys are checked against `allowed` on construction.
class Section {
public:
    Section(const Field& field, std::initializer_list<std::string_view> allowed);
    Field operator[](std::string_view key) const;

private:
    void check_keys(std::initializer_list<std::string_view> allowed) const;

    const Origin* origin_;
    YAML::Node node_;
    std::string path_;
};

std::string join_path(std::string_view parent, std::string_view key);
// "a list", "a mapping", "nothing" or the quoted scalar: the "(got ...)" part of errors.
std::string describe(const YAML::Node& node);

std::optional<std::string> read_string(const Field& f);
std::string read_required_string(const Field& f);  // present and non-empty
std::uint32_t read_uint(const Field& f, std::uint32_t lo, std::uint32_t hi, std::uint32_t fallback);
// true or false (also True, TRUE, False, FALSE: the YAML 1.2 core schema); not yes/no/on/off.
bool read_bool(const Field& f, bool fallback);
// Elements with paths "key[i]"; absent gives an empty list.
std::vector<Field> read_list(const Field& f);

template <class E>
using Choices = std::initializer_list<std::pair<std::string_view, E>>;

template <class E>
E read_choice(const Field& f, Choices<E> choices, E fallback) {
    const auto text = read_string(f);
    if (!text) return fallback;
    for (const auto& [name, value] : choices)
        if (*text == name) return value;
    std::string names;
    for (const auto& c : choices) names += (names.empty() ? "" : ", ") + std::string(c.first);
    f.fail("must be one of " + names + " (got " + describe(f.node) + ")");
}

}  // namespace hallpass::config::detail
