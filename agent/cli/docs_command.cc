// `pifleet completion bash|zsh|fish` and `pifleet man`: rendered from the app's own tree of
// commands at the moment they run, so they always match the binary.
#include <cstdio>
#include <memory>
#include <string>

#include "agent/cli/command.h"
#include "agent/cli/command_tree.h"
#include "agent/cli/man_page.h"
#include "agent/cli/shell_completion.h"

namespace pifleet::cli {

void InstallDocsCommands(CLI::App& app, Context& context) {
  auto* completion = app.add_subcommand("completion", "Print a shell completion script");
  auto shell = std::make_shared<std::string>();
  completion->add_option("SHELL", *shell, "The shell")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->footer(
      "Load it now: source <(pifleet completion bash). The Debian package installs all three. "
      "Exit codes: 0 printed, 2 usage.");
  completion->callback([&app, &context, shell] {
    const CommandDoc root = DescribeCommands(app);
    const std::string script = *shell == "bash"  ? BashCompletion(root)
                               : *shell == "zsh" ? ZshCompletion(root)
                                                 : FishCompletion(root);
    std::fputs(script.c_str(), stdout);
    context.exit_code = kExitOk;
  });

  auto* man = app.add_subcommand("man", "Print the manual page pifleet(1) in roff");
  man->footer("Read it now: pifleet man | man -l -. Exit codes: 0 printed, 2 usage.");
  man->callback([&app, &context] {
    std::fputs(ManPage(DescribeCommands(app)).c_str(), stdout);
    context.exit_code = kExitOk;
  });
}

}  // namespace pifleet::cli
