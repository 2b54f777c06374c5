#include "relay/request_trace.hpp"

#include <spdlog/spdlog.h>

#include "relay/log_field.hpp"
#include "stun/attributes.hpp"
#include "stun/message_type.hpp"
#include "stun/message_view.hpp"
#include "turn/turn_counters.hpp"

namespace hallpass::relay {

void trace_request_and_answer(const alloc::FiveTuple& from, std::span<const std::uint8_t> request,
                              const turn::ClientAction& action) {
    const auto m = stun::MessageView::parse(request);
    if (!m || m->message_class() != stun::MessageClass::request) return;
    const auto user = stun::get<stun::Username>(*m);
    spdlog::debug("request {} client={} transport={} user={}", stun::method_name(m->method()), from.client.to_string(),
                  turn::name_of(from.transport), user ? log_field(user->text) : std::string("-"));
    if (action.kind != turn::ClientAction::Kind::reply) {
        spdlog::debug("answer {} client={}: none (dropped)", stun::method_name(m->method()), from.client.to_string());
        return;
    }
    const auto answer = stun::MessageView::parse(action.bytes);
    if (!answer) return;
    const auto code = stun::get<stun::ErrorCodeAttribute>(*answer);
    spdlog::debug("answer {} client={}: {}", stun::method_name(m->method()), from.client.to_string(),
                  code ? "error " + std::to_string(code->code) : std::string("success"));
}

}  // namespace hallpass::relay
