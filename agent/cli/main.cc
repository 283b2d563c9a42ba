// `pifleet`: parses the command line and runs one subcommand. Exit codes: cli/command.h.
#include <cstdio>
#include <iterator>

#include "agent/cli/command.h"

namespace {

// Every subcommand, in the order `pifleet --help` lists them.
constexpr pifleet::cli::Installer kInstallers[] = {
    pifleet::cli::InstallVersionCommand,  pifleet::cli::InstallAgentCommand,
    pifleet::cli::InstallClusterCommands, pifleet::cli::InstallKeygenCommand,
    pifleet::cli::InstallHalCommand,      pifleet::cli::InstallLedCommand,
    pifleet::cli::InstallIdentifyCommand, pifleet::cli::InstallKeyCommand,
    pifleet::cli::InstallRepairCommand,   pifleet::cli::InstallNetbootCommand,
    pifleet::cli::InstallJobCommand,      pifleet::cli::InstallConfigCommand,
    pifleet::cli::InstallBenchCommand,    pifleet::cli::InstallTopicCommand,
};

int Run(int argc, char** argv) {
  CLI::App app{"pifleet: one agent per Raspberry Pi; together they form a Multi-Paxos cluster.",
               "pifleet"};
  app.set_version_flag("--version", pifleet::cli::VersionText());
  app.require_subcommand(0, 1);
  app.footer("Exit codes: 0 ok, 1 error, 2 usage, 3 no quorum or timeout. Docs: docs/cli.md");

  pifleet::cli::Context context;
  auto& client = context.client;
  app.add_option("--endpoints", client.endpoints, "Agents to ask, host:port[,host:port...]")
      ->capture_default_str();
  app.add_option("--key-file", client.key_file, "Cluster key file")->capture_default_str();
  app.add_option("--cluster", client.cluster, "Cluster name")->capture_default_str();
  app.add_option("--timeout-ms", client.timeout_ms, "Give up after this long (exit code 3)")
      ->capture_default_str();
  for (auto install : kInstallers) install(app, context);

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
