// `pifleet completion bash|zsh|fish`: completion scripts rendered from the command tree.
// Each script knows, for every command path, its subcommands, its options, which options take a
// value (so that value is skipped when finding the path) and the choices of a checked option.
#pragma once

#include <string>

#include "agent/cli/command_tree.h"

namespace pifleet::cli {

std::string BashCompletion(const CommandDoc& root);
std::string ZshCompletion(const CommandDoc& root);
std::string FishCompletion(const CommandDoc& root);

}  // namespace pifleet::cli
