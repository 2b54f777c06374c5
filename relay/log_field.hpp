// log_field: a value from the network (a STUN USERNAME, say) made safe to put in a log line.
// A client chooses those bytes, so unescaped they could end a line and forge the next one
// (with a newline, or with Unicode's NEL and line separators), add a "key=value" of its own
// (with a space, or a no-break space that looks like one), reorder what a reader sees (bidi
// controls), or make a JSON log line invalid UTF-8. So printable ASCII other than space,
// '"' and '\' stays as it is, and every other byte becomes \xNN: a name with accents reads
// less well, and that is the price. Empty becomes "".
#pragma once

#include <string>
#include <string_view>

namespace hallpass::relay {

std::string log_field(std::string_view value);

}  // namespace hallpass::relay
