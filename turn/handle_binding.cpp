// Binding (RFC 8489 §7.3): answered without authentication, with the client's address.
#include "stun/attribute_check.hpp"
#include "stun/attributes.hpp"
#include "turn/server_request.hpp"

namespace hallpass::turn {

using stun::ErrorCode;

ClientAction TurnServer::handle_binding(Request& r) {
    if (stun::check_known_attributes(r.message)) return error(r, ErrorCode::bad_request);
    auto b = success(r);
    b.add(stun::XorMappedAddress{r.from.client});
    return finish(r, b);
}

}  // namespace hallpass::turn
