// `hallpass probe HOST`: the school network check from a command line (an IT admin's laptop
// inside the school, a support engineer). Same checks, verdicts and IT report as the page;
// a table by default, --json, and an exit status that says whether students can join.
#pragma once

namespace hallpass::relay {

// argv[0] is "probe". Exit status: 0 students can join, 1 they cannot (the report says
// what is blocked), 2 a usage error or no credentials (the reason on stderr).
int run_probe_command(int argc, char** argv);

}  // namespace hallpass::relay
