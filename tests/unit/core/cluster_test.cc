// Whole-cluster tests over the in-memory harness (the simulator covers faults at scale).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pifleet::core::testing
