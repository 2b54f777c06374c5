// log_field: a value from the network (a STUN USERNAME, say) made safe to put in a log line.
// A client chooses those bytes, so unescaped they could end a line and forge the next one,
// add a "key=value" of their own, or make a JSON log line invalid UTF-8. Printable ASCII
// other than space, '"' and '\' and well-formed UTF-8 stay as they are; everything else
// becomes \xNN. Empty becomes "".
#pragma once

#include <string>
#include <string_view>

namespace hallpass::relay {

std::string log_field(std::string_view value);

}  // namespace hallpass::relay
