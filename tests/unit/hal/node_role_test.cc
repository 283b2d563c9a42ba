// The agent's view of itself -> the role pattern of docs/leds.md, one case per row of the table
// and the boundaries between them.
#include <gtest/gtest.h>

#include "hal/constants.h"
#include "hal/node_role.h"

namespace pifleet::hal {
namespace {

// A voter of a 3-voter cluster that hears its leader: the common case, varied per test.
NodeView HealthyFollower() {
  NodeView view;
  view.started = true;
  view.has_core = true;
  view.member = true;
  view.voter = true;
  view.heard_any_peer = true;
  view.leader_silent_ms = 50;
  view.voters_total = 3;
  view.voters_alive = 3;
  return view;
}

TEST(NodeRoleTest, BootingUntilTheLoopRuns) {
  NodeView view = HealthyFollower();
  view.started = false;
  EXPECT_EQ(RoleOf(view), Role::kBooting);
}

TEST(NodeRoleTest, SearchingUntilAPeerAnswers) {
  NodeView joiner;
  joiner.started = true;
  EXPECT_EQ(RoleOf(joiner), Role::kSearching);
  // A member restarted from cluster.meta that hears nobody is searching too, not no-quorum.
  NodeView alone = HealthyFollower();
  alone.heard_any_peer = false;
  alone.leader_silent_ms = UINT64_MAX;
  EXPECT_EQ(RoleOf(alone), Role::kSearching);
}

TEST(NodeRoleTest, JoiningOnceAnsweredUntilInTheConfiguration) {
  NodeView view;
  view.started = true;
  view.heard_any_peer = true;
  EXPECT_EQ(RoleOf(view), Role::kJoining);
  view.has_core = true;  // cluster.meta written, catching up, not yet added
  EXPECT_EQ(RoleOf(view), Role::kJoining);
  view.member = true;
  view.leader_silent_ms = 0;
  EXPECT_EQ(RoleOf(view), Role::kLearner);
}

TEST(NodeRoleTest, VoterFollowsAndNonVoterLearns) {
  NodeView view = HealthyFollower();
  EXPECT_EQ(RoleOf(view), Role::kFollower);
  view.voter = false;
  EXPECT_EQ(RoleOf(view), Role::kLearner);
}

TEST(NodeRoleTest, LeaderNeedsALiveMajority) {
  NodeView view = HealthyFollower();
  view.leader = true;
  view.leader_silent_ms = UINT64_MAX;  // a leader receives no heartbeats; it does not matter
  EXPECT_EQ(RoleOf(view), Role::kLeader);
  view.voters_alive = 2;
  EXPECT_EQ(RoleOf(view), Role::kLeader);
  view.voters_alive = 1;
  EXPECT_EQ(RoleOf(view), Role::kNoQuorum);
  view.voters_total = 2;
  view.voters_alive = 1;  // half is not a majority
  EXPECT_EQ(RoleOf(view), Role::kNoQuorum);
  view.voters_total = 1;  // a one-voter cluster is its own majority
  EXPECT_EQ(RoleOf(view), Role::kLeader);
}

TEST(NodeRoleTest, SilentLeaderMeansNoQuorumAfterTheBound) {
  NodeView view = HealthyFollower();
  view.leader_silent_ms = kLeaderSilentMs;
  EXPECT_EQ(RoleOf(view), Role::kFollower);
  view.leader_silent_ms = kLeaderSilentMs + 1;
  EXPECT_EQ(RoleOf(view), Role::kNoQuorum);
  view.voter = false;
  EXPECT_EQ(RoleOf(view), Role::kNoQuorum);
  view.leader_silent_ms = UINT64_MAX;
  EXPECT_EQ(RoleOf(view), Role::kNoQuorum);
}

TEST(NodeRoleTest, EveryRoleMapsToItsOwnPattern) {
  // The mapping feeds LedController; each role reaches a distinct pattern of the language.
  EXPECT_EQ(PatternOfRole(RoleOf(HealthyFollower())), LedPattern::kFollower);
  NodeView leader = HealthyFollower();
  leader.leader = true;
  EXPECT_EQ(PatternOfRole(RoleOf(leader)), LedPattern::kLeader);
  leader.voters_alive = 1;
  EXPECT_EQ(PatternOfRole(RoleOf(leader)), LedPattern::kNoQuorum);
}

}  // namespace
}  // namespace pifleet::hal
