// What `pifleet job` does without a cluster: the items syntax, and `job run-builtin`, the
// builtin workload run here (how fast this machine is at it; the digest a job's results XOR to).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "agent/cli/command.h"

namespace pifleet::cli {

// "A..B", inclusive, into [first, end); false when malformed or B < A.
bool ParseItems(const std::string& text, uint64_t* first, uint64_t* end);

// `pifleet job run-builtin --builtin sha256 --items A..B [--rounds R] [--json]`.
void InstallJobRunBuiltin(CLI::App& job, Context& context);

}  // namespace pifleet::cli
