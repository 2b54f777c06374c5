#include "bench/progress.hpp"

#include <cstdio>

namespace hallpass::bench {

Progress::Progress(bool enabled) : enabled_(enabled) {}

void Progress::show(std::int64_t now_ns, const std::string& text) {
    if (!enabled_) return;
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
    shown_ = true;
    next_ns_ = now_ns + 250'000'000;
}

void Progress::finish() {
    if (!shown_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
}

}  // namespace hallpass::bench
