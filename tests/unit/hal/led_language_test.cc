// The LED language table in code and docs/leds.md must say the same thing.
#include <gtest/gtest.h>

#include <set>

#include "hal/led_language.h"
#include "tests/unit/hal/fixture.h"

namespace pifleet::hal {
namespace {

std::string DocRow(const PatternSpec& spec) {
  return std::string("| `") + spec.name + "` | " + DescribeSteps(spec) + " | " + spec.meaning +
         " |";
}

// The rows of the table under "## The language" in docs/leds.md.
std::vector<std::string> DocRows() {
  const std::string doc = testing::ReadText(std::string(PIFLEET_DOCS_DIR) + "/leds.md");
  std::vector<std::string> rows;
  const auto start = doc.find("## The language");
  EXPECT_NE(start, std::string::npos) << "docs/leds.md lost its '## The language' section";
  std::size_t at = doc.find('\n', start);
  while (at != std::string::npos && at + 1 < doc.size()) {
    const auto eol = doc.find('\n', at + 1);
    const std::string line = doc.substr(at + 1, eol == std::string::npos ? eol : eol - at - 1);
    at = eol;
    if (line.rfind("## ", 0) == 0) break;
    if (line.rfind("| `", 0) == 0) rows.push_back(line);
  }
  return rows;
}

TEST(LedLanguageTest, DocsTableMatchesTheCodeRowForRow) {
  const std::vector<std::string> rows = DocRows();
  ASSERT_EQ(rows.size(), AllPatterns().size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i], DocRow(AllPatterns()[i])) << "docs/leds.md row " << i + 1;
  }
}

TEST(LedLanguageTest, EveryStateTheIssueNamesHasAPattern) {
  for (const char* name : {"booting", "searching", "joining", "learner", "follower", "leader",
                           "no-quorum", "disk-full", "hot-throttled", "identify", "failed"}) {
    const auto pattern = PatternByName(name);
    ASSERT_TRUE(pattern.has_value()) << name;
    EXPECT_STREQ(SpecOf(*pattern).name, name);
  }
  EXPECT_FALSE(PatternByName("party").has_value());
}

TEST(LedLanguageTest, NoTwoPatternsLookAlike) {
  std::set<std::string> seen;
  for (const PatternSpec& spec : AllPatterns()) {
    EXPECT_TRUE(seen.insert(DescribeSteps(spec)).second) << spec.name;
  }
}

TEST(LedLanguageTest, FailedIsOneOnOffPairSoTheKernelTimerCanHoldIt) {
  EXPECT_EQ(SpecOf(LedPattern::kFailed).step_count, 2);
}

TEST(LedLanguageTest, LevelAtWalksTheSteps) {
  const PatternSpec& joining = SpecOf(LedPattern::kJoining);  // on 100, off 200, on 100, off 1600
  EXPECT_EQ(CycleMs(joining), 2000u);
  EXPECT_TRUE(LevelAt(joining, 0).on);
  EXPECT_EQ(LevelAt(joining, 0).remaining_ms, 100u);
  EXPECT_FALSE(LevelAt(joining, 100).on);
  EXPECT_EQ(LevelAt(joining, 150).remaining_ms, 150u);
  EXPECT_TRUE(LevelAt(joining, 300).on);
  EXPECT_FALSE(LevelAt(joining, 1999).on);
  EXPECT_EQ(LevelAt(joining, 1999).remaining_ms, 1u);
  EXPECT_TRUE(LevelAt(joining, 2000).on);  // the next cycle
  const PatternSpec& follower = SpecOf(LedPattern::kFollower);
  EXPECT_EQ(DescribeSteps(follower), "on");
  EXPECT_TRUE(LevelAt(follower, 123456).on);
  EXPECT_EQ(LevelAt(follower, 123456).remaining_ms, 0u);
}

}  // namespace
}  // namespace pifleet::hal
