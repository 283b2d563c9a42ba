// How a subcommand plugs into `pifleet`: an installer adds a CLI11 subcommand whose callback
// runs the command and stores its exit code in the shared context.
#pragma once

#include <CLI/CLI.hpp>

namespace pifleet::cli {

// Exit codes of every `pifleet` command; documented in docs/cli.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,     // the command ran and failed (bad file, refused request, ...)
  kExitUsage = 2,     // bad flags or arguments
  kExitNoQuorum = 3,  // no quorum or timeout: the cluster did not answer in time
};

struct Context {
  int exit_code = kExitOk;
};

using Installer = void (*)(CLI::App& app, Context& context);

void InstallVersionCommand(CLI::App& app, Context& context);
void InstallKeygenCommand(CLI::App& app, Context& context);
void InstallHalCommand(CLI::App& app, Context& context);
void InstallLedCommand(CLI::App& app, Context& context);

// Multi-line text for `pifleet --version`.
std::string VersionText();

}  // namespace pifleet::cli
