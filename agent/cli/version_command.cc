// `pifleet version [--json]` and the text behind `pifleet --version`.
#include <cstdio>
#include <memory>
#include <string>

#include "agent/base/version.h"
#include "agent/cli/command.h"
#include "agent/daemon/json_text.h"

namespace pifleet::cli {

std::string VersionText() {
  const BuildInfo& info = build_info();
  return std::string("pifleet ") + info.version + "\ngit revision: " + info.git_revision +
         "\nbuild type: " + info.build_type + "\ntarget: " + info.target_triple;
}

void InstallVersionCommand(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("version", "Print version, git revision, build type and target");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print one JSON object");
  cmd->callback([json, &context] {
    const BuildInfo& info = build_info();
    if (*json) {
      const daemon::Json out = {{"version", info.version},
                                {"git_revision", info.git_revision},
                                {"build_type", info.build_type},
                                {"target", info.target_triple}};
      std::printf("%s\n", daemon::JsonText(out).c_str());
    } else {
      std::printf("%s\n", VersionText().c_str());
    }
    context.exit_code = kExitOk;
  });
}

}  // namespace pifleet::cli
