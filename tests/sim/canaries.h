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
  // Simulator-level canaries: the core itself is unchanged.
  bool stale_reads = false;
  bool watch_resume_at_last = false;
  bool group_ack_before_process = false;
};

const std::vector<CanaryInfo>& Canaries();
const CanaryInfo* CanaryByName(const std::string& name);

}  // namespace pifleet::sim
