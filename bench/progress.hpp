// The live progress line on stderr: shown only when stderr is a terminal and --quiet is not
// given, redrawn at most four times a second.
#pragma once

#include <cstdint>
#include <string>

namespace hallpass::bench {

class Progress {
public:
    explicit Progress(bool enabled);
    // True when a new line is due; the caller then builds the text and calls show().
    bool due(std::int64_t now_ns) const { return enabled_ && now_ns >= next_ns_; }
    void show(std::int64_t now_ns, const std::string& text);
    // Clears the line before the report is printed.
    void finish();

private:
    bool enabled_;
    bool shown_ = false;
    std::int64_t next_ns_ = 0;
};

}  // namespace hallpass::bench
