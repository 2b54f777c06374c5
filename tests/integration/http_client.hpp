// A blocking HTTP/1.1 client for the tests (Boost.Beast): one request per connection.
#pragma once

#include <string>

#include "stun/transport_address.hpp"

namespace hallpass::testing {

struct HttpAnswer {
    int status = 0;  // 0: no answer (refused, closed, timed out)
    std::string body;
};

HttpAnswer http_request(const TransportAddress& server, const std::string& method, const std::string& target,
                        const std::string& bearer = "", const std::string& extra_header = "");

}  // namespace hallpass::testing
