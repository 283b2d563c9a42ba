// What `pifleet repair` prints before it acts: the diagnosis and the numbered steps of the plan.
#pragma once

#include <string>

#include "agent/store/repair.h"

namespace pifleet::cli {

std::string RepairPlanText(const store::RepairPlan& plan);

}  // namespace pifleet::cli
