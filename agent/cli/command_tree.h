// The CLI's own definitions as plain data: every subcommand with its options, read from the
// CLI11 app that `pifleet` parses with. The shell completions and the man page are rendered from
// this tree, so they cannot drift from the commands they describe.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace pifleet::cli {

struct OptionDoc {
  std::vector<std::string> flags;    // "-n", "--node" (empty for a positional)
  std::string positional;            // "KEY" for a positional argument, else ""
  std::string value_name;            // "TEXT", "UINT", ... ("" when the option takes no value)
  std::vector<std::string> choices;  // from a CLI::IsMember check, in its order
  std::string description;
  bool required = false;
};

struct CommandDoc {
  std::vector<std::string> path;  // {} for `pifleet` itself, {"kv", "get"} for `pifleet kv get`
  std::string description;
  std::string footer;
  std::vector<OptionDoc> options;  // in the order they were added, positionals among them
  std::vector<CommandDoc> children;

  std::string PathText() const;  // "pifleet kv get"
};

CommandDoc DescribeCommands(const CLI::App& app);

// Every command of the tree, parents before children (pre-order).
std::vector<const CommandDoc*> FlattenCommands(const CommandDoc& root);

}  // namespace pifleet::cli
