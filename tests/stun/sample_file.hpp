// Reads a test vector written as in the RFC: hex byte pairs at the start of each line,
// then a comment; lines starting with '#' are notes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hallpass::testing {

std::vector<std::uint8_t> load_sample(const std::string& relative_path);

}  // namespace hallpass::testing
