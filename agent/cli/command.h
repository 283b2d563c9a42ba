// How a subcommand plugs into `pifleet`: an installer adds a CLI11 subcommand whose callback
// runs the command and stores its exit code in the shared context.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace pifleet::cli {

// Exit codes of every `pifleet` command; documented in docs/cli.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,     // the command ran and failed (bad file, refused request, ...)
  kExitUsage = 2,     // bad flags or arguments
  kExitNoQuorum = 3,  // no quorum or timeout: the cluster did not answer in time
  kExitNotFound = 4,  // `kv get`: no such key (an empty value is found: exit 0)
};

// The exit codes as `pifleet --help` and the man page explain them.
struct ExitCodeDoc {
  int code;
  const char* name;     // for --help's one line
  const char* meaning;  // for the man page
};
inline constexpr ExitCodeDoc kExitCodeDocs[] = {
    {kExitOk, "ok", "The command did what it was asked."},
    {kExitError, "error", "The command ran and failed: a bad file, a refused request."},
    {kExitUsage, "usage", "Bad flags or arguments, or a broken configuration file."},
    {kExitNoQuorum, "no quorum or timeout",
     "No quorum or timeout: the cluster did not answer within --timeout-ms."},
    {kExitNotFound, "not found (kv get)", "kv get: no such key (an empty value is found)."},
};

// Options every client command shares (`pifleet --endpoints ... status`).
struct ClientOptions {
  std::string endpoints = "127.0.0.1:7101";
  std::string key_file = "cluster.key";
  std::string cluster = "pifleet";
  uint32_t timeout_ms = 5000;
};

struct Context {
  int exit_code = kExitOk;
  ClientOptions client;
};

using Installer = void (*)(CLI::App& app, Context& context);

void InstallVersionCommand(CLI::App& app, Context& context);
void InstallKeygenCommand(CLI::App& app, Context& context);
void InstallAgentCommand(CLI::App& app, Context& context);
void InstallClusterCommands(CLI::App& app, Context& context);
void InstallKvCommand(CLI::App& app, Context& context);  // kv_command.cc
void InstallHalCommand(CLI::App& app, Context& context);
void InstallLedCommand(CLI::App& app, Context& context);
void InstallIdentifyCommand(CLI::App& app, Context& context);
void InstallKeyCommand(CLI::App& app, Context& context);
void InstallRepairCommand(CLI::App& app, Context& context);
void InstallNetbootCommand(CLI::App& app, Context& context);
void InstallJobCommand(CLI::App& app, Context& context);     // job_command.cc
void InstallConfigCommand(CLI::App& app, Context& context);  // config_command.cc
void InstallBenchCommand(CLI::App& app, Context& context);   // bench_command.cc
void InstallTopicCommand(CLI::App& app, Context& context);   // topic_command.cc
// `completion` and `man`, rendered from the whole app when they run (docs_command.cc).
void InstallDocsCommands(CLI::App& app, Context& context);

// The whole `pifleet` command line: global options and every subcommand (app.cc).
void BuildApp(CLI::App& app, Context& context);

// Multi-line text for `pifleet --version`.
std::string VersionText();

}  // namespace pifleet::cli
