// Binding (RFC 8489 §7.3): answered without authentication, with the client's address.
#include "stun/attributes.hpp"
#include "turn/server_request.hpp"

namespace hallpass::turn {

ClientAction TurnServer::handle_binding(Request& r) {
    auto b = success(r);
    b.add(stun::XorMappedAddress{r.from.client});
    return finish(r, b);
}

}  // namespace hallpass::turn
