// YAML text + command-line overrides → validated Config; see config_loader.hpp.
// Overrides are written into the YAML tree first, so the schema (config_schema.cpp)
// checks them exactly as it checks the file.
#include "config/config_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_schema.hpp"
#include "config/yaml_reader.hpp"

namespace hallpass::config {
namespace {

const std::string kCommandLine = "command line";

// How a command-line value turns into YAML for each key that may be overridden.
enum class ValueKind { scalar, list, advertise_list, file_only };

struct KnownKey {
    std::string_view key;
    ValueKind kind;
};

constexpr KnownKey kKnownKeys[] = {
    {"realm", ValueKind::scalar},
    {"software", ValueKind::scalar},
    {"server_name", ValueKind::scalar},
    {"listen.udp", ValueKind::list},
    {"listen.tcp", ValueKind::list},
    {"listen.tls", ValueKind::list},  // plain addresses; proxy_protocol only in the file
    {"tls.certificate", ValueKind::scalar},
    {"tls.private_key", ValueKind::scalar},
    {"tls.self_signed", ValueKind::scalar},
    {"relay.ranges", ValueKind::list},
    {"relay.ports.min", ValueKind::scalar},
    {"relay.ports.max", ValueKind::scalar},
    {"relay.advertise", ValueKind::advertise_list},
    // Name and password pairs have no unambiguous one-line form (either may hold ',').
    {"auth.users", ValueKind::file_only},
    {"auth.secrets", ValueKind::list},
    {"auth.nonce_lifetime", ValueKind::scalar},
    {"auth.credential_ttl", ValueKind::scalar},
    {"auth.secrets_file", ValueKind::scalar},
    {"auth.max_credential_lifetime", ValueKind::scalar},
    {"peers.allow", ValueKind::list},
    {"peers.deny", ValueKind::list},
    {"limits.allocations_total", ValueKind::scalar},
    {"limits.allocations_per_user", ValueKind::scalar},
    {"limits.default_lifetime", ValueKind::scalar},
    {"limits.max_lifetime", ValueKind::scalar},
    {"limits.permission_lifetime", ValueKind::scalar},
    {"limits.channel_lifetime", ValueKind::scalar},
    {"limits.permissions_per_allocation", ValueKind::scalar},
    {"limits.channels_per_allocation", ValueKind::scalar},
    {"limits.allocation_bps", ValueKind::scalar},
    {"limits.connections_ipv6_prefix", ValueKind::scalar},
    {"limits.unauthenticated_rate", ValueKind::scalar},
    {"limits.unauthenticated_burst", ValueKind::scalar},
    {"limits.connections_total", ValueKind::scalar},
    {"limits.connections_per_ip", ValueKind::scalar},
    {"limits.tls_handshake_timeout", ValueKind::scalar},
    {"limits.idle_timeout", ValueKind::scalar},
    {"limits.stream_queue_bytes", ValueKind::scalar},
    {"workers", ValueKind::scalar},
    {"io_engine", ValueKind::scalar},
    {"log.level", ValueKind::scalar},
    {"log.format", ValueKind::scalar},
    {"user", ValueKind::scalar},
    {"group", ValueKind::scalar},
    {"watch_files", ValueKind::scalar},
    {"unsafe_development_config_on_network", ValueKind::scalar},
};

[[noreturn]] void fail_command_line(std::string_view key, std::string_view reason) {
    throw ConfigError(kCommandLine + ": " + std::string(key) + ": " + std::string(reason));
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// "a, b,c" → ["a", "b", "c"]; "" → [] so that an override can clear a list.
std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    if (trim(text).empty()) return items;
    std::size_t start = 0;
    while (true) {
        const auto comma = text.find(',', start);
        items.emplace_back(trim(text.substr(start, comma - start)));
        if (comma == std::string_view::npos) return items;
        start = comma + 1;
    }
}

// "10.0.0.5=203.0.113.5" → {bound: 10.0.0.5, public: 203.0.113.5}.
YAML::Node advertise_item(const Override& o, std::size_t index, const std::string& item) {
    const auto eq = item.find('=');
    if (eq == std::string::npos)
        fail_command_line(o.key + "[" + std::to_string(index) + "]",
                          "must be bound=public (got \"" + item + "\")");
    YAML::Node node(YAML::NodeType::Map);
    node["bound"] = std::string(trim(std::string_view(item).substr(0, eq)));
    node["public"] = std::string(trim(std::string_view(item).substr(eq + 1)));
    return node;
}

YAML::Node override_value(const Override& o, ValueKind kind) {
    if (kind == ValueKind::scalar) return YAML::Node(o.value);
    if (kind == ValueKind::file_only)
        fail_command_line(o.key, "can only be set in the config file");
    YAML::Node list(YAML::NodeType::Sequence);
    const auto items = split_list(o.value);
    for (std::size_t i = 0; i < items.size(); ++i)
        list.push_back(kind == ValueKind::list ? YAML::Node(items[i])
                                               : advertise_item(o, i, items[i]));
    return list;
}

// Writes `value` at the dotted key, creating the mappings on the way. A non-mapping in
// the way is the file's error, reported as such.
void set_path(YAML::Node root, std::string_view key, const YAML::Node& value,
              const std::string& file) {
    YAML::Node cur = root;  // copies share the node; reset() moves the reference
    std::string path;
    std::size_t start = 0;
    for (auto dot = key.find('.'); dot != std::string_view::npos; dot = key.find('.', start)) {
        const std::string part(key.substr(start, dot - start));
        path = detail::join_path(path, part);
        YAML::Node next = cur[part];
        if (next.IsDefined() && !next.IsNull() && !next.IsMap())
            throw ConfigError(file + ": " + path + ": must be a mapping (got " +
                              detail::describe(next) + ")");
        if (!next.IsMap()) cur[part] = YAML::Node(YAML::NodeType::Map);
        YAML::Node child = cur[part];
        cur.reset(child);
        start = dot + 1;
    }
    cur[std::string(key.substr(start))] = value;
}

void apply_override(YAML::Node& root, const Override& o, const std::string& file) {
    const auto* known = std::find_if(std::begin(kKnownKeys), std::end(kKnownKeys),
                                     [&](const KnownKey& k) { return k.key == o.key; });
    if (known == std::end(kKnownKeys)) fail_command_line(o.key, "unknown key");
    set_path(root, o.key, override_value(o, known->kind), file);
}

// Parse errors carry yaml-cpp's 0-based mark; editors count from 1.
YAML::Node load_yaml(std::string_view text, const std::string& source) {
    try {
        return YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
        throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                          std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
    }
}

YAML::Node apply_overrides(YAML::Node root, const std::vector<Override>& overrides,
                           const std::string& source) {
    if (overrides.empty()) return root;
    // An empty file is a null node; give it a mapping to write into.
    if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
    if (!root.IsMap())
        throw ConfigError(source + ": must be a mapping (got " + detail::describe(root) + ")");
    for (const auto& o : overrides) apply_override(root, o, source);
    return root;
}

// The current directory made absolute, or empty (paths stay relative) if it cannot be read.
std::filesystem::path current_dir() {
    std::error_code ec;
    auto dir = std::filesystem::current_path(ec);
    return ec ? std::filesystem::path() : dir;
}

Config parse_config_in(std::string_view yaml_text, std::string source_name,
                       const std::vector<Override>& overrides, const detail::PathBase& paths) {
    YAML::Node root = apply_overrides(load_yaml(yaml_text, source_name), overrides, source_name);
    std::vector<std::string> overridden;
    for (const auto& o : overrides) overridden.push_back(o.key);
    const detail::Origin origin(std::move(source_name), std::move(overridden));
    try {
        return detail::read_config(detail::Field{&origin, root, ""}, paths);
    } catch (const YAML::Exception& e) {
        // Not expected (the readers check node types first), but never let one escape.
        throw ConfigError(origin.file() + ": " + e.what());
    }
}

}  // namespace

Config parse_config(std::string_view yaml_text, std::string source_name,
                    const std::vector<Override>& overrides) {
    const auto cwd = current_dir();
    return parse_config_in(yaml_text, std::move(source_name), overrides, {cwd, cwd});
}

Config load_config(const std::string& path, const std::vector<Override>& overrides) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot open: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
    const auto cwd = current_dir();
    const auto file_dir = (cwd / std::filesystem::path(path)).lexically_normal().parent_path();
    return parse_config_in(text.str(), path, overrides, {file_dir, cwd});
}

Override parse_set_flag(std::string_view text) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0)
        throw ConfigError(kCommandLine + ": --set: expected key=value (got \"" + std::string(text) +
                          "\")");
    return Override{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

}  // namespace hallpass::config
