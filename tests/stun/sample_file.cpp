#include "tests/stun/sample_file.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hallpass::testing {
namespace {

bool is_hex_pair(const std::string& w) {
    return w.size() == 2 && std::isxdigit(static_cast<unsigned char>(w[0])) &&
           std::isxdigit(static_cast<unsigned char>(w[1]));
}

}  // namespace

std::vector<std::uint8_t> load_sample(const std::string& relative_path) {
    std::ifstream in(std::string(HALLPASS_SAMPLES_DIR) + "/" + relative_path);
    if (!in) throw std::runtime_error("missing sample " + relative_path);
    std::vector<std::uint8_t> bytes;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::string w;
        // The bytes of a line are its leading hex pairs; the comment starts at the first
        // word that is not one.
        while (words >> w && is_hex_pair(w))
            bytes.push_back(static_cast<std::uint8_t>(std::stoul(w, nullptr, 16)));
    }
    return bytes;
}

}  // namespace hallpass::testing
