#include "agent/daemon/log.h"

#include <gtest/gtest.h>

namespace pifleet::daemon {
namespace {

TEST(Logger, PlainLinesCarryLevelMessageAndFields) {
  Logger logger(Logger::Sink::kStderr);
  testing::internal::CaptureStderr();
  logger.Log(Level::kWarning, "disk full, not voting", {{"FREE_BYTES", "0"}, {"PATH", "/var"}});
  logger.Log(Level::kDebug, "hidden below the threshold");
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "warning disk full, not voting free_bytes=0 path=/var\n");
}

TEST(Logger, RateLimitSuppressesFloodsAndReportsTheCount) {
  Logger logger(Logger::Sink::kStderr);
  testing::internal::CaptureStderr();
  for (int i = 0; i < 100; ++i) {
    logger.LogLimited("drop:auth_failed", 1000 + i, Level::kNotice, "dropped datagram");
  }
  // Next window: one more passes and says how many were suppressed.
  logger.LogLimited("drop:auth_failed", 1000 + kLogLimitIntervalMs, Level::kNotice,
                    "dropped datagram");
  const std::string out = testing::internal::GetCapturedStderr();
  size_t lines = 0;
  for (char c : out) lines += c == '\n';
  EXPECT_EQ(lines, kLogLimitBurst + 1);
  EXPECT_NE(out.find("suppressed=" + std::to_string(100 - kLogLimitBurst)), std::string::npos);
}

TEST(Logger, WithoutJournalStreamTheSinkIsStderr) {
  unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(Logger::DetectSink(), Logger::Sink::kStderr);
}

}  // namespace
}  // namespace pifleet::daemon
