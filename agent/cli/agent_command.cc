// `pifleet agent`: runs this node. Settings: docs/configuration.md (--config FILE, then flags).
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "agent/cli/command.h"
#include "agent/daemon/agent.h"
#include "agent/store/posix_env.h"

namespace pifleet::cli {

void InstallAgentCommand(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("agent", "Run this node's agent (see docs/configuration.md)");
  auto config_file = std::make_shared<std::string>();
  auto flags = std::make_shared<daemon::ConfigFlags>();
  cmd->add_option("--config", *config_file, "TOML file with the agent's settings");
  flags->Add(cmd);
  cmd->callback([config_file, flags, &context] {
    daemon::AgentConfig config;
    if (!config_file->empty()) {
      if (Status status = daemon::LoadConfigFile(store::PosixEnv(), *config_file, &config);
          !status.ok()) {
        std::fprintf(stderr, "pifleet agent: %s\n", status.message().c_str());
        context.exit_code = kExitUsage;
        return;
      }
    }
    flags->ApplyGivenFlags(&config);
    if (config.name.empty()) {
      char host[256] = {};
      gethostname(host, sizeof(host) - 1);
      config.name = host;
    }
    if (Status status = daemon::ValidateConfig(config); !status.ok()) {
      std::fprintf(stderr, "pifleet agent: %s\n", status.message().c_str());
      context.exit_code = kExitUsage;
      return;
    }
    // ValidateConfig checked the name.
    daemon::Logger logger(daemon::Logger::DetectSink(),
                          daemon::LevelFromName(config.log_level).value_or(daemon::Level::kInfo));
    daemon::Agent agent(config, &logger, store::PosixEnv());
    if (Status status = agent.Open(); !status.ok()) {
      logger.Log(daemon::Level::kError, "cannot start: " + status.ToString());
      context.exit_code = kExitError;
      return;
    }
    context.exit_code = agent.Run();
  });
}

}  // namespace pifleet::cli
