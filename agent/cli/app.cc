#include <string>

#include "agent/cli/command.h"

namespace pifleet::cli {
namespace {

// Every subcommand, in the order `pifleet --help` lists them.
constexpr Installer kInstallers[] = {
    InstallVersionCommand, InstallAgentCommand,   InstallClusterCommands, InstallKeygenCommand,
    InstallHalCommand,     InstallLedCommand,     InstallIdentifyCommand, InstallKeyCommand,
    InstallRepairCommand,  InstallNetbootCommand, InstallJobCommand,      InstallConfigCommand,
    InstallBenchCommand,   InstallTopicCommand,   InstallDocsCommands,
};

std::string ExitCodesText() {
  std::string text;
  for (const ExitCodeDoc& exit : kExitCodeDocs) {
    text += (text.empty() ? "" : ", ") + std::to_string(exit.code) + " " + exit.name;
  }
  return text;
}

}  // namespace

void BuildApp(CLI::App& app, Context& context) {
  app.set_version_flag("--version", VersionText());
  app.require_subcommand(0, 1);
  app.footer("Exit codes: " + ExitCodesText() + ". Docs: docs/cli.md, man pifleet");
  auto& client = context.client;
  app.add_option("--endpoints", client.endpoints, "Agents to ask, host:port[,host:port...]")
      ->capture_default_str();
  app.add_option("--key-file", client.key_file, "Cluster key file")->capture_default_str();
  app.add_option("--cluster", client.cluster, "Cluster name")->capture_default_str();
  app.add_option("--timeout-ms", client.timeout_ms, "Give up after this long (exit code 3)")
      ->capture_default_str();
  for (auto install : kInstallers) install(app, context);
}

}  // namespace pifleet::cli
