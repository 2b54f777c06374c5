// check_known_attributes: every attribute this server knows is decoded once, so that one
// that is present but malformed — a LIFETIME of 3 bytes, an EVEN-PORT of 4, a DONT-FRAGMENT
// with a value — is refused with 400 (RFC 8489 §6.3.1.1: a malformed request is answered
// with a 400) instead of being silently treated as absent by a handler that calls get<>().
// Unknown attributes are not looked at here: comprehension-required ones get 420, the
// others are ignored (RFC 8489 §14).
#pragma once

#include <optional>

#include "stun/message_view.hpp"

namespace hallpass::stun {

// The first known attribute that does not decode, as its parse error; nullopt if all do.
std::optional<ParseError> check_known_attributes(const MessageView& m);

}  // namespace hallpass::stun
