#include "agent/wire/replay_window.h"

#include <gtest/gtest.h>

namespace pifleet::wire {
namespace {

TEST(ReplayWindow, AcceptsEachCounterOnce) {
  ReplayWindow window;
  EXPECT_FALSE(window.Check(0));  // counters start at 1
  for (uint64_t c = 1; c <= 3000; ++c) {
    ASSERT_TRUE(window.Check(c)) << c;
    window.Accept(c);
    ASSERT_FALSE(window.Check(c)) << c;
  }
}

TEST(ReplayWindow, AcceptsReorderingInsideTheWindowOnly) {
  ReplayWindow window;
  window.Accept(5000);
  EXPECT_TRUE(window.Check(5000 - kReplayWindowBits + 1));  // oldest still inside
  EXPECT_FALSE(window.Check(5000 - kReplayWindowBits));     // just outside
  window.Accept(4990);
  EXPECT_FALSE(window.Check(4990));
  EXPECT_TRUE(window.Check(4991));
}

TEST(ReplayWindow, SlidingForgetsBitsOfCountersThatLeftTheWindow) {
  ReplayWindow window;
  window.Accept(10);
  // 10 + kReplayWindowBits maps to the same bit as 10; it must not look seen.
  EXPECT_TRUE(window.Check(10 + kReplayWindowBits));
  window.Accept(10 + kReplayWindowBits);
  EXPECT_FALSE(window.Check(10));  // now behind the window
  // A jump of more than the window clears everything.
  window.Accept(100000);
  EXPECT_TRUE(window.Check(100000 - 1));
  EXPECT_FALSE(window.Check(100000));
}

}  // namespace
}  // namespace pifleet::wire
