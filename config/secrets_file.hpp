// A file of TURN REST shared secrets (auth.secrets_file, `hallpass credentials
// --secret-file`): one per line, '#' starts a comment line, blank lines and the white space
// around a secret are skipped (an editor's trailing CR is not part of it). Only a regular
// file of at most 64 KiB is read: a device such as /dev/zero would hang the start.
#pragma once

#include <string>
#include <vector>

namespace hallpass::config {

struct SecretsFile {
    std::vector<std::string> secrets;  // in file order, at least one when error is empty
    std::string error;                 // why the file cannot be used, e.g. "cannot open ..."
};

SecretsFile read_secrets_file(const std::string& path);

}  // namespace hallpass::config
