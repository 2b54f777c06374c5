// A self-signed server certificate for TURN over TLS when the operator has none yet
// (first start, tests, a lab). Browsers will not trust it; it is a start-up aid only.
#pragma once

#include <string>

namespace hallpass::relay {

// Makes an EC P-256 key and an X.509 v3 certificate for it: CN "hallpass self-signed",
// SAN DNS:localhost, IP:127.0.0.1, IP:::1, valid 365 days from now, random serial.
// Writes both as PEM (key file mode 0600), creating parent directories, each file
// replaced atomically (write to a temporary file, then rename) so a reload running at the
// same time never reads half a file. Throws std::runtime_error naming the path on failure.
void write_self_signed(const std::string& certificate_path, const std::string& key_path);

}  // namespace hallpass::relay
