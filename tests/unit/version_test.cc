#include <gtest/gtest.h>

#include <string>

#include "agent/base/version.h"
#include "agent/cli/command.h"

namespace pifleet {
namespace {

TEST(Version, ReportsProjectVersionRevisionBuildTypeAndTarget) {
  const BuildInfo& info = build_info();
  EXPECT_STREQ(info.version, PIFLEET_EXPECTED_VERSION);
  EXPECT_STRNE(info.git_revision, "");
  EXPECT_STRNE(info.build_type, "");
  EXPECT_STREQ(info.target_triple, PIFLEET_EXPECTED_TRIPLE);

  const std::string text = cli::VersionText();
  EXPECT_NE(text.find(std::string("pifleet ") + info.version), std::string::npos);
  EXPECT_NE(text.find(info.git_revision), std::string::npos);
  EXPECT_NE(text.find(info.target_triple), std::string::npos);
}

}  // namespace
}  // namespace pifleet
