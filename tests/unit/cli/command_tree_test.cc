// The command tree behind `pifleet completion` and `pifleet man`: what it reads from CLI11, and
// that the renderers escape what the shells and roff would misread.
#include "agent/cli/command_tree.h"

#include <gtest/gtest.h>

#include "agent/cli/command.h"
#include "agent/cli/man_page.h"
#include "agent/cli/shell_completion.h"

namespace pifleet::cli {
namespace {

struct TinyApp {
  TinyApp() {
    auto* kv = app.add_subcommand("kv", "Key-value store");
    auto* get = kv->add_subcommand("get", ".starts with a dot\nand a back\\slash");
    get->add_option("KEY", key, "The key")->required();
    get->add_option("--consistency,-c", consistency, "How")->check(CLI::IsMember({"log", "lease"}));
    get->add_flag("--json", json, "It's JSON");
    get->add_option("--secret", key, "Hidden")->group("");
    app.add_subcommand("hidden", "Not listed")->group("");
  }
  CLI::App app{"tiny", "pifleet"};
  std::string key, consistency;
  bool json = false;
};

TEST(CommandTree, ReadsSubcommandsOptionsChoicesAndSkipsHidden) {
  TinyApp tiny;
  const CommandDoc root = DescribeCommands(tiny.app);
  ASSERT_EQ(root.children.size(), 1u);  // "hidden" is not listed
  const CommandDoc& get = root.children[0].children.at(0);
  EXPECT_EQ(get.PathText(), "pifleet kv get");
  std::vector<std::string> flags;
  for (const OptionDoc& option : get.options) {
    flags.insert(flags.end(), option.flags.begin(), option.flags.end());
    if (!option.positional.empty()) flags.push_back(option.positional);
  }
  // In the order they were added; --secret is hidden.
  EXPECT_EQ(flags,
            (std::vector<std::string>{"-h", "--help", "KEY", "-c", "--consistency", "--json"}));
  EXPECT_TRUE(get.options[1].required);
  EXPECT_EQ(get.options[1].value_name, "TEXT");
  const OptionDoc& consistency = get.options[2];
  EXPECT_EQ(consistency.choices, (std::vector<std::string>{"log", "lease"}));
  EXPECT_EQ(consistency.value_name, "TEXT");
  EXPECT_TRUE(get.options[3].value_name.empty());  // a flag takes no value
  EXPECT_EQ(FlattenCommands(root).size(), 3u);
}

TEST(CommandTree, RenderersEscapeForTheirReaders) {
  TinyApp tiny;
  const CommandDoc root = DescribeCommands(tiny.app);
  const std::string man = ManPage(root);
  EXPECT_NE(man.find("\n\\&.starts with a dot\n.br\nand a back\\eslash\n"), std::string::npos);
  EXPECT_NE(man.find("\\fB\\-c\\fR, \\fB\\-\\-consistency\\fR \\fITEXT\\fR"), std::string::npos);
  EXPECT_NE(man.find("(one of: log, lease)"), std::string::npos);
  EXPECT_EQ(man.find("--secret"), std::string::npos);
  EXPECT_NE(FishCompletion(root).find("-d 'It\\'s JSON'"), std::string::npos);
  EXPECT_NE(ZshCompletion(root).find("'--json:It'\\''s JSON'"), std::string::npos);
  EXPECT_NE(BashCompletion(root).find("'kv get --consistency') echo 'log lease'"),
            std::string::npos);
}

// Every subcommand of the real CLI, found by walking CLI11 directly, is in every rendering.
TEST(CommandTree, TheRealCliIsCompleteInEveryRendering) {
  CLI::App app{"pifleet", "pifleet"};
  Context context;
  BuildApp(app, context);
  const CommandDoc root = DescribeCommands(app);
  const std::string bash = BashCompletion(root), zsh = ZshCompletion(root);
  const std::string fish = FishCompletion(root), man = ManPage(root);
  size_t paths = 0;
  std::function<void(const CLI::App&, const std::string&)> walk = [&](const CLI::App& at,
                                                                      const std::string& path) {
    for (const CLI::App* sub : at.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name().empty()) continue;
      const std::string child = path.empty() ? sub->get_name() : path + " " + sub->get_name();
      ++paths;
      EXPECT_NE(bash.find("'" + child + "')"), std::string::npos) << child;
      EXPECT_NE(zsh.find("('" + child + "')"), std::string::npos) << child;
      EXPECT_NE(fish.find("-a '" + sub->get_name() + "'"), std::string::npos) << child;
      EXPECT_NE(man.find(".SS \"pifleet " + child + "\""), std::string::npos) << child;
      walk(*sub, child);
    }
  };
  walk(app, "");
  EXPECT_GE(paths, 40u);
  EXPECT_EQ(FlattenCommands(root).size(), paths + 1);
}

}  // namespace
}  // namespace pifleet::cli
