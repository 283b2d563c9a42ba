#include "agent/base/status.h"

#include <gtest/gtest.h>

#include "agent/base/assert.h"

namespace pifleet {
namespace {

TEST(Status, OkByDefault) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "OK");
}

TEST(Status, CarriesCodeAndMessage) {
  Status status = Status::Corruption("wal/000001.log offset 4096: bad CRC");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Status::Code::kCorruption);
  EXPECT_EQ(status.ToString(), "Corruption: wal/000001.log offset 4096: bad CRC");
}

TEST(AssertDeathTest, FailedAssertionAbortsWithExpressionAndLocation) {
  const int promised = 3;
  EXPECT_DEATH(PIFLEET_ASSERT_MSG(promised < 2, "promise went backwards"),
               "assertion failed: promised < 2 at .*status_test.cc:[0-9]+: promise went backwards");
}

TEST(Assert, PassingAssertionDoesNothing) {
  int evaluated = 0;
  PIFLEET_ASSERT(++evaluated == 1);
  EXPECT_EQ(evaluated, 1);  // the condition runs exactly once, also in release builds
}

}  // namespace
}  // namespace pifleet
