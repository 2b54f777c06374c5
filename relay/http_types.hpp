// The HTTP request and response types of every hallpass HTTP endpoint (admin listener, and
// the TURN ports' health check and school network check): Boost.Beast messages with
// string bodies.
#pragma once

#include <boost/beast/http.hpp>

namespace hallpass::relay {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

}  // namespace hallpass::relay
