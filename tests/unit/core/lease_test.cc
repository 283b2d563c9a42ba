// Leader leases (docs/consensus.md, "Lease reads"): grants, the holder's bound, the voters'
// refusal, and a restarted acceptor's wait.
#include <gtest/gtest.h>

#include "tests/unit/core/harness.h"

namespace pifleet::core::testing {
namespace {

const Config kConfig = MakeConfig({1, 2, 3}, {4});

NodeId ElectAndWantLease(Network& net) {
  net.Tick(2 * kElectionTicksMax);
  const NodeId leader = net.Leader();
  if (leader == 0) return 0;
  net.core(leader).WantLease();
  net.Settle();
  return leader;
}

TEST(Lease, NoLeaseUntilAsked) {
  Network net(kConfig);
  net.Tick(2 * kElectionTicksMax);
  const NodeId leader = net.Leader();
  ASSERT_NE(leader, 0u);
  EXPECT_FALSE(net.core(leader).LeaseReadable(net.core(leader).HighestDecidedSlot()));
}

TEST(Lease, LeaderHoldsItOnceAQuorumGrantedAndOnlyForItsBound) {
  Network net(kConfig);
  const NodeId leader = ElectAndWantLease(net);
  ASSERT_NE(leader, 0u);
  Core& core = net.core(leader);
  EXPECT_TRUE(core.LeaseReadable(core.HighestDecidedSlot()));
  EXPECT_FALSE(core.LeaseReadable(core.HighestDecidedSlot() + 1)) << "a slot not applied yet";
  EXPECT_FALSE(net.core(4).LeaseReadable(0)) << "a learner never leads";
  // Heartbeats renew it while the voters answer.
  net.Tick(5 * kHeartbeatTicks);
  EXPECT_TRUE(core.LeaseReadable(core.HighestDecidedSlot()));
  // Cut off, the leader keeps it for at most kLeaseTicks - kLeaseMarginTicks after its last
  // stamp that a quorum granted.
  net.Isolate(leader);
  uint32_t held_ticks = 0;
  while (core.LeaseReadable(core.HighestDecidedSlot()) && held_ticks <= kLeaseTicks) {
    core.Tick();
    net.Settle();
    ++held_ticks;
  }
  EXPECT_LE(held_ticks, kLeaseTicks - kLeaseMarginTicks);
  EXPECT_FALSE(core.LeaseReadable(core.HighestDecidedSlot()));
}

// The property a lease read rests on: no new leader while the old one can still answer. The
// canary's lease never runs out, and the same run breaks it.
bool NewLeaderWhileOldHoldsLease(Canary canary) {
  Network net(kConfig);
  if (canary != Canary::kNone) {
    for (NodeId id : {1, 2, 3, 4}) {
      CoreOptions options = MakeOptions(id, kConfig);
      options.canary = canary;
      net.Replace(id, options);
    }
  }
  const NodeId old_leader = ElectAndWantLease(net);
  EXPECT_NE(old_leader, 0u);
  net.Isolate(old_leader);
  for (uint32_t t = 0; t < 4 * kElectionTicksMax; ++t) {
    net.Tick(1);
    const bool old_reads = net.core(old_leader).LeaseReadable(0);
    if (old_reads && net.Leader() != 0) return true;
  }
  EXPECT_NE(net.Leader(), 0u) << "the others elect a leader once the grants ran out";
  return false;
}

TEST(Lease, NoOtherLeaderIsAdoptedWhileALeaseRuns) {
  EXPECT_FALSE(NewLeaderWhileOldHoldsLease(Canary::kNone));
}

TEST(Lease, CanaryThatNeverExpiresIsCaught) {
  EXPECT_TRUE(NewLeaderWhileOldHoldsLease(Canary::kLeaseOutlivesExpiry));
}

TEST(Lease, ADroppedLeaseIsAskedForAgain) {
  Network net(kConfig);
  const NodeId leader = ElectAndWantLease(net);
  ASSERT_NE(leader, 0u);
  net.core(leader).DropLease();
  EXPECT_FALSE(net.core(leader).LeaseReadable(0));
  net.Tick(kHeartbeatTicks);
  EXPECT_TRUE(net.core(leader).LeaseReadable(0)) << "the next stamped beat";
}

TEST(Lease, VoterRefusesAHigherBallotUntilItsGrantRunsOut) {
  Core voter(MakeOptions(2, kConfig));
  PassStartWait(voter);
  voter.Receive(Envelope{1, 2, Active{Ballot{1, 1}, 0, /*lease_stamp=*/9}});
  const Output granted = Take(voter);
  ASSERT_EQ(OfType<LeaseGrant>(granted.messages).size(), 1u);
  EXPECT_EQ(OfType<LeaseGrant>(granted.messages)[0].second.stamp, 9u);
  for (uint32_t t = 0; t < kLeaseTicks; ++t) {
    voter.Receive(Envelope{3, 2, Prepare{Ballot{2, 3}, 1}});
    const Output out = Take(voter);
    EXPECT_TRUE(OfType<Promise>(out.after_sync).empty()) << "tick " << t << " of the grant";
    voter.Tick();
    Take(voter);
  }
  voter.Receive(Envelope{3, 2, Prepare{Ballot{2, 3}, 1}});
  EXPECT_EQ(OfType<Promise>(Take(voter).after_sync).size(), 1u) << "the grant ran out";
}

TEST(Lease, NoGrantAgainstAHigherPromise) {
  Core voter(MakeOptions(2, kConfig));
  PassStartWait(voter);
  voter.Receive(Envelope{3, 2, Prepare{Ballot{5, 3}, 1}});
  Take(voter);
  voter.Receive(Envelope{1, 2, Active{Ballot{4, 1}, 0, 9}});
  EXPECT_TRUE(OfType<LeaseGrant>(Take(voter).messages).empty());
}

TEST(Lease, ARestartedAcceptorWaitsOutAGrantItMayHaveGiven) {
  Core voter(MakeOptions(2, kConfig));  // just started: it cannot know what it granted before
  for (uint32_t t = 0; t + 1 < kLeaseTicks; ++t) {
    voter.Receive(Envelope{3, 2, Prepare{Ballot{2, 3}, 1}});
    EXPECT_TRUE(OfType<Promise>(Take(voter).after_sync).empty()) << "tick " << t;
    voter.Tick();
    Take(voter);
  }
  voter.Tick();
  voter.Receive(Envelope{3, 2, Prepare{Ballot{2, 3}, 1}});
  EXPECT_EQ(OfType<Promise>(Take(voter).after_sync).size(), 1u);
}

}  // namespace
}  // namespace pifleet::core::testing
