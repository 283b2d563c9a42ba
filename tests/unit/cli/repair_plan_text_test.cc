#include "agent/cli/repair_plan_text.h"

#include <gtest/gtest.h>

namespace pifleet::cli {
namespace {

// Issue 13: the plan numbered every moved entry "3.", so its steps read "3. 3. 3. 4. 5.".
TEST(RepairPlanText, NumbersEveryStepOnce) {
  store::RepairPlan plan;
  plan.needed = true;
  plan.diagnosis = "wal/00000001.wal: bad record checksum";
  plan.aside_dir = "/d/repair-42-7";
  plan.old_meta.node_id = 42;
  plan.moved = {"wal", "snap", "cluster.meta", "removed"};
  const std::string text = RepairPlanText(plan);
  size_t at = 0;
  for (int step = 1; step <= 8; ++step) {
    const std::string label = "  " + std::to_string(step) + ". ";
    const size_t found = text.find(label, at);
    ASSERT_NE(found, std::string::npos) << "no step " << step << " after the previous in\n" << text;
    at = found + label.size();
  }
  EXPECT_EQ(text.find("  9. "), std::string::npos) << text;
  EXPECT_NE(text.find("  3. move wal to /d/repair-42-7/wal"), std::string::npos) << text;
  EXPECT_NE(text.find("  6. move removed to"), std::string::npos) << text;
  EXPECT_NE(text.find("  8. remove the old identity from the configuration: pifleet leave 42"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace pifleet::cli
