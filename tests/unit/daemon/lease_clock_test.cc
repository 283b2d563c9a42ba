// The leader's lease count: a lease is due a TTL after this node saw its grant or last
// keepalive, never before; followers propose nothing; a new leader starts every count again.
#include "agent/daemon/lease_clock.h"

#include <gtest/gtest.h>

namespace pifleet::daemon {
namespace {

TEST(LeaseClock, DueOnlyAfterTheTtlSinceTheLastKeepaliveSeen) {
  sm::LeaseTable table;
  const uint64_t id = table.Grant(2000);
  LeaseClock clock;
  EXPECT_TRUE(clock.Due(table, true, 1000).empty());
  EXPECT_TRUE(clock.Due(table, true, 2999).empty());
  table.KeepAlive(id);
  EXPECT_TRUE(clock.Due(table, true, 3500).empty()) << "the keepalive starts the count again";
  EXPECT_EQ(clock.RemainingMs(id, table, 4500), 1000);
  EXPECT_TRUE(clock.Due(table, true, 5499).empty());
  const auto due = clock.Due(table, true, 5500);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0], std::make_pair(id, uint64_t{1})) << "with the keepalive count it saw";
}

TEST(LeaseClock, FollowersProposeNothingAndANewLeaderCountsFromItsStart) {
  sm::LeaseTable table;
  table.Grant(2000);
  LeaseClock clock;
  EXPECT_TRUE(clock.Due(table, false, 0).empty());
  EXPECT_TRUE(clock.Due(table, false, 10'000).empty()) << "a follower never expires";
  EXPECT_EQ(clock.RemainingMs(1, table, 10'000), -1);
  EXPECT_TRUE(clock.Due(table, true, 10'000).empty()) << "leader now: the count starts again";
  EXPECT_TRUE(clock.Due(table, true, 11'999).empty());
  EXPECT_EQ(clock.Due(table, true, 12'000).size(), 1u);
  EXPECT_TRUE(clock.Due(table, false, 12'500).empty());
  EXPECT_TRUE(clock.Due(table, true, 13'000).empty()) << "leader again: a whole TTL again";
}

}  // namespace
}  // namespace pifleet::daemon
