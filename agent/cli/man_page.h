// `pifleet man`: the manual page pifleet(1), in roff, rendered from the command tree so that it
// lists exactly the commands and options the binary parses.
#pragma once

#include <string>

#include "agent/cli/command_tree.h"

namespace pifleet::cli {

std::string ManPage(const CommandDoc& root);

}  // namespace pifleet::cli
