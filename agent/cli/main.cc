// `pifleet`: parses the command line and runs one subcommand. Exit codes: cli/command.h.
#include <cstdio>

#include "agent/cli/command.h"

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"pifleet: one agent per Raspberry Pi; together they form a Multi-Paxos cluster.",
               "pifleet"};
  pifleet::cli::Context context;
  pifleet::cli::BuildApp(app, context);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the error
    return code == 0 ? pifleet::cli::kExitOk : pifleet::cli::kExitUsage;
  }
  if (app.get_subcommands().empty()) {
    std::fputs(app.help().c_str(), stderr);
    return pifleet::cli::kExitUsage;
  }
  return context.exit_code;
}

}  // namespace

// What escapes a subcommand (out of memory, a library's exception) ends the command with exit 1
// and its message instead of std::terminate's abort.
int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pifleet: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "pifleet: unknown exception\n");
  }
  return pifleet::cli::kExitError;
}
