// `hallpass ctl`: the operator's command for a running server's admin API, as eturnal's
// eturnalctl: sessions, disconnect, reload, drain and info, as readable tables or --json.
#pragma once

namespace hallpass::relay {

// argv[0] is "ctl". Returns the process exit status: 0 done, 1 the server refused or could
// not be reached (the reason on stderr), 2 a usage error.
int run_ctl(int argc, char** argv);

}  // namespace hallpass::relay
