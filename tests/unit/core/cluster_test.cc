// Whole-cluster tests over the in-memory harness (the simulator covers faults at scale).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/unit/core/harness.h"

namespace pifleet::core::testing {
namespace {

const Config kConfig = MakeConfig({1, 2, 3}, {4});

TEST(Cluster, ElectsOneLeaderAndEveryReplicaAppliesTheSameSequence) {
  Network net(kConfig);
  net.Tick(2 * kElectionTicksMax);
  const NodeId leader = net.Leader();
  ASSERT_NE(leader, 0u);
  for (uint64_t seq = 1; seq <= 20; ++seq) {
    ASSERT_TRUE(net.core(1 + seq % 4).Propose(MakeCommand(7, seq)).ok());
  }
  net.Tick(3 * kRequestRetransmitTicks);
  for (NodeId id = 1; id <= 4; ++id) {
    EXPECT_EQ(net.applied(id).size(), net.applied(leader).size()) << "node " << id;
    for (size_t i = 0; i < net.applied(id).size(); ++i) {
      EXPECT_EQ(net.applied(id)[i].slot, i + 1);
      EXPECT_EQ(net.applied(id)[i].value, net.applied(leader)[i].value);
    }
  }
  size_t commands = 0;
  for (const Decision& d : net.applied(4)) commands += d.value.commands.size();
  EXPECT_GE(commands, 20u);
}

TEST(Cluster, IsolatedLeaderIsReplacedAndCommandsContinue) {
  Network net(kConfig);
  net.Tick(2 * kElectionTicksMax);
  const NodeId first = net.Leader();
  ASSERT_NE(first, 0u);
  net.Isolate(first);
  net.Tick(3 * kElectionTicksMax);
  const NodeId second = net.Leader();
  ASSERT_NE(second, 0u);
  ASSERT_NE(second, first);
  ASSERT_TRUE(net.core(second).Propose(MakeCommand(8, 1)).ok());
  net.Tick(kRequestRetransmitTicks);
  ASSERT_FALSE(net.applied(second).empty());
  EXPECT_EQ(net.applied(second).back().value.commands.at(0).client_id, 8u);
  net.Heal();
  net.Tick(2 * kElectionTicksMax);
  EXPECT_EQ(net.applied(first).size(), net.applied(second).size()) << "the old leader caught up";
}

// Commands forwarded to a leader that died go to the new leader as soon as it is known (or to
// itself once it leads), not at the next retransmission kRequestRetransmitTicks later.
TEST(Cluster, CommandsSentToADeadLeaderGoToItsSuccessorAtOnce) {
  Network net(kConfig);
  net.Tick(2 * kElectionTicksMax);
  const NodeId first = net.Leader();
  ASSERT_NE(first, 0u);
  net.Isolate(first);
  uint64_t client = 20;
  for (NodeId id = 1; id <= 4; ++id) {
    if (id != first) {
      ASSERT_TRUE(net.core(id).Propose(MakeCommand(++client, 1)).ok());
    }
  }
  NodeId second = 0;
  for (uint32_t t = 0; t < 3 * kElectionTicksMax && second == 0; ++t) {
    net.Tick(1);
    second = net.Leader();
  }
  ASSERT_NE(second, 0u) << "no new leader";
  net.Tick(2);  // the Active that names it, then one decision round (every record syncs at once)
  std::set<uint64_t> decided;
  for (const Decision& d : net.applied(second)) {
    for (const Command& c : d.value.commands) decided.insert(c.client_id);
  }
  for (uint64_t c = 21; c <= client; ++c) EXPECT_TRUE(decided.count(c)) << "client " << c;
}

// `pifleet leave LEADER`: once the configuration without it governs the next slot, the removed
// leader steps down at once (it does not wait to be preempted), never campaigns again, and the
// remaining voters elect a leader and keep deciding.
TEST(Cluster, RemovedLeaderStepsDownOnceItsRemovalTakesEffect) {
  Network net(kConfig);
  net.Tick(2 * kElectionTicksMax);
  const NodeId removed = net.Leader();
  ASSERT_NE(removed, 0u);
  Config without = kConfig;
  without.voters.erase(std::find(without.voters.begin(), without.voters.end(), removed));
  without.voters.push_back(4);
  without.learners.clear();
  Command change = MakeCommand(9, 1);
  change.kind = CommandKind::kReconfig;
  change.replaces = 1;
  change.config = without;
  ASSERT_TRUE(net.core(removed).Propose(change).ok());
  net.Settle();
  EXPECT_FALSE(net.core(removed).IsLeader()) << "still leading a configuration it is not in";
  const Slot stepped = net.core(removed).SteppedDownAt();
  ASSERT_NE(stepped, 0u);
  EXPECT_EQ(net.core(removed).AppliedSlot() + 1, stepped) << "left at the first slot without it";
  EXPECT_FALSE(net.core(removed).membership().ForSlot(stepped).IsVoter(removed));
  net.Tick(3 * kElectionTicksMax);
  const NodeId next = net.Leader();
  ASSERT_NE(next, 0u);
  ASSERT_NE(next, removed);
  EXPECT_EQ(net.core(next).SteppedDownAt(), 0u);
  ASSERT_TRUE(net.core(next).Propose(MakeCommand(8, 1)).ok());
  net.Tick(kRequestRetransmitTicks);
  ASSERT_FALSE(net.applied(next).empty());
  EXPECT_EQ(net.applied(next).back().value.commands.at(0).client_id, 8u);
  for (int t = 0; t < 3 * static_cast<int>(kElectionTicksMax); ++t) {
    net.core(removed).Tick();
    EXPECT_TRUE(OfType<Prepare>(Take(net.core(removed)).messages).empty()) << "it campaigned";
  }
}

// An idle cluster lets its drivers sleep: the leader until its next (idle) heartbeat, a follower
// (heartbeats arriving) well past the next tick; a command in flight makes the leader due at
// every tick until it is decided.
TEST(Cluster, IdleCoresSayHowLongTheyMaySleep) {
  Network net(kConfig);
  net.Tick(2 * kElectionTicksMax);
  const NodeId leader = net.Leader();
  ASSERT_NE(leader, 0u);
  net.Tick(3 * kHeartbeatTicks);
  const uint32_t leader_due = net.core(leader).TicksUntilDue();
  EXPECT_GE(leader_due, 1u);
  EXPECT_LE(leader_due, kHeartbeatTicks * kIdleHeartbeatFactor);
  for (NodeId id = 1; id <= 4; ++id) {
    if (id == leader) continue;
    EXPECT_GT(net.core(id).TicksUntilDue(), kHeartbeatTicks) << "node " << id;
    EXPECT_NE(net.core(id).TicksUntilDue(), kNoDeadline) << "a follower still suspects";
  }
  // Tick() asserts that a tick it called quiet produced nothing; here the leader's heartbeat
  // comes on exactly the call it named.
  for (uint32_t t = 1; t < leader_due; ++t) {
    net.core(leader).Tick();
    ASSERT_FALSE(net.core(leader).HasReady()) << "tick " << t;
  }
  net.core(leader).Tick();
  EXPECT_TRUE(net.core(leader).HasReady()) << "the heartbeat";
  net.Settle();
  for (NodeId id = 1; id <= 3; ++id) {
    if (id != leader) net.Isolate(id);  // no quorum: the command stays in flight
  }
  ASSERT_TRUE(net.core(leader).Propose(MakeCommand(7, 1)).ok());
  net.Settle();
  EXPECT_EQ(net.core(leader).TicksUntilDue(), 1u) << "a commander in flight";
  net.Heal();
  net.Tick(kRetransmitTicks);
  EXPECT_GT(net.core(leader).TicksUntilDue(), 1u) << "decided: idle again";
}

// Idle, the leader beats kIdleHeartbeatFactor times less often, and no follower suspects it for
// that: over a long quiet spell half the beats go out and the same leader stays.
TEST(Cluster, AnIdleLeaderBeatsLessOftenAndKeepsItsFollowers) {
  Network net(kConfig);
  net.Tick(2 * kElectionTicksMax);
  const NodeId leader = net.Leader();
  ASSERT_NE(leader, 0u);
  net.Tick(kElectionTicksMax);  // past every follower's first measured gaps
  const uint64_t before = net.delivered();
  constexpr uint32_t kQuietTicks = 1000;
  net.Tick(kQuietTicks);
  const uint64_t beats_each = kQuietTicks / (kHeartbeatTicks * kIdleHeartbeatFactor);
  const uint64_t others = 3;  // 2 voters and the learner
  EXPECT_LE(net.delivered() - before, others * (beats_each + 1));
  EXPECT_GE(net.delivered() - before, others * (beats_each - 1));
  EXPECT_EQ(net.Leader(), leader);
  for (NodeId id = 1; id <= 4; ++id) {
    if (id == leader) continue;
    EXPECT_FALSE(net.core(id).IsLeader()) << "node " << id << " campaigned";
  }
  // A command in flight brings the busy beat back: the next beat within kHeartbeatTicks.
  ASSERT_TRUE(net.core(leader).Propose(MakeCommand(7, 1)).ok());
  EXPECT_LE(net.core(leader).TicksUntilDue(), kHeartbeatTicks);
}

}  // namespace
}  // namespace pifleet::core::testing
