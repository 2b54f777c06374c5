#include "config/secrets_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace hallpass::config {
namespace {

SecretsFile failure(std::string why) { return SecretsFile{{}, std::move(why)}; }

}  // namespace

SecretsFile read_secrets_file(const std::string& path) {
    constexpr std::uintmax_t max_size = 64 * 1024;
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        return failure(path + " is not a regular file");
    if (!ec && std::filesystem::is_regular_file(status)) {
        const auto size = std::filesystem::file_size(path, ec);
        if (!ec && size > max_size) return failure(path + " is larger than 64 KiB: not a list of secrets");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return failure("cannot open " + path + ": " + std::strerror(errno));
    SecretsFile out;
    std::string line;
    while (std::getline(in, line)) {
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        out.secrets.push_back(line.substr(first, line.find_last_not_of(" \t\r") - first + 1));
    }
    if (in.bad()) return failure("cannot read " + path + ": " + std::strerror(errno));
    if (out.secrets.empty()) return failure(path + " holds no secret (one per line; # starts a comment)");
    return out;
}

}  // namespace hallpass::config
