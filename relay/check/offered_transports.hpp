// How the report and the probe read the transports of a check offer (check_credentials.hpp
// writes it): one reader, apart from the writer so that the probe links without the server.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace hallpass::relay {

// One transport of an offer.
struct OfferedTransport {
    std::string name, protocol, address;
    std::uint16_t port = 0;  // 0: missing or out of range
};

// The offer's transports, read as a hostile server or page might have written them: a
// missing or mistyped field reads as empty, text is cut to 64 characters and made printable.
std::vector<OfferedTransport> offered_transports(const boost::json::object& offer);

}  // namespace hallpass::relay
