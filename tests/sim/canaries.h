// The canaries: known-unsafe variants of the core that the checkers must catch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/core/options.h"

namespace pifleet::sim {

struct CanaryInfo {
  const char* name;
  core::Canary canary;
  const char* description;
};

const std::vector<CanaryInfo>& Canaries();
std::optional<core::Canary> CanaryByName(const std::string& name);

}  // namespace pifleet::sim
