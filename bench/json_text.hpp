// JSON text for the bench's reports (--json). Strings are escaped by Boost.JSON; numbers are
// written here in plain decimal, because Boost.JSON 1.81 writes every double in exponent
// form (0.5 as 5E-1, 12.5 as 1.25E1), which a planner reading a report by eye should not
// have to decode. Both give `null` for what JSON cannot hold (NaN, infinities).
#pragma once

#include <string>
#include <string_view>

namespace hallpass::bench {

std::string json_quote(std::string_view s);
// `significant` digits, %g style: 0.25, 1234.5, 1e-07.
std::string json_number(double v, int significant = 6);
// A fixed number of decimals: 0.2500.
std::string json_fixed(double v, int decimals);

}  // namespace hallpass::bench
