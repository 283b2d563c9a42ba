// The canaries: known-unsafe variants of the core that the checkers must catch.
#pragma once

#include <string>
#include <vector>

#include "agent/core/options.h"

namespace pifleet::sim {

struct CanaryInfo {
  const char* name;
  core::Canary canary;
  const char* description;
  bool stale_reads = false;  // a simulator-level canary: the core itself is unchanged
};

const std::vector<CanaryInfo>& Canaries();
const CanaryInfo* CanaryByName(const std::string& name);

}  // namespace pifleet::sim
