// Millis: monotonic time as the caller's clock gives it; nothing in alloc/ reads a clock.
#pragma once

#include <chrono>

namespace hallpass::alloc {

using Millis = std::chrono::milliseconds;

}  // namespace hallpass::alloc
