// How a fuzz target reports a broken invariant: a message and abort(), which libFuzzer
// records as a crash with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace hallpass::fuzz {

[[noreturn]] inline void broken(std::string_view what) {
    std::fprintf(stderr, "invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
    std::abort();
}

inline void require(bool ok, std::string_view what) {
    if (!ok) broken(what);
}

}  // namespace hallpass::fuzz
