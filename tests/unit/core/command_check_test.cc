// Commands out of bounds (issue 18): the checks themselves, a leader that never proposes such a
// command, and replicas that refuse a decided one alike, at apply and at replay, instead of
// asserting (the poison pill: a reconfiguration with no voters asserted on every replica).
#include "agent/core/command_check.h"

#include <gtest/gtest.h>

#include "agent/core/constants.h"
#include "tests/unit/core/harness.h"

namespace pifleet::core::testing {
namespace {

const Config kConfig = MakeConfig({1, 2, 3}, {4});

Envelope To(NodeId to, NodeId from, Message message) { return Envelope{from, to, message}; }

Command Reconfig(std::vector<NodeId> voters, std::vector<NodeId> learners = {}) {
  Command command = MakeCommand(9, 1, "");
  command.kind = CommandKind::kReconfig;
  command.config = MakeConfig(std::move(voters), std::move(learners));
  command.replaces = 1;  // the initial configuration
  return command;
}

std::vector<NodeId> Ids(NodeId first, size_t count) {
  std::vector<NodeId> ids;
  for (size_t i = 0; i < count; ++i) ids.push_back(first + i);
  return ids;
}

TEST(CheckConfig, VoterCountsFromOneToTheBound) {
  EXPECT_FALSE(CheckConfig(MakeConfig({}, {1})).ok());
  EXPECT_TRUE(CheckConfig(MakeConfig({1})).ok());
  EXPECT_TRUE(CheckConfig(MakeConfig(Ids(1, kVotersMax))).ok());
  const Status status = CheckConfig(MakeConfig(Ids(1, kVotersMax + 1)));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("1 to 7 voters, not 8"), std::string::npos) << status.message();
}

TEST(CheckConfig, NodeBound) {
  EXPECT_TRUE(CheckConfig(MakeConfig({1}, Ids(2, kNodesMax - 1))).ok());
  EXPECT_FALSE(CheckConfig(MakeConfig({1}, Ids(2, kNodesMax))).ok());
}

TEST(CheckConfig, EveryIdOnceAndNeverZero) {
  EXPECT_FALSE(CheckConfig(MakeConfig({1, 2, 1})).ok());
  EXPECT_FALSE(CheckConfig(MakeConfig({1}, {2, 2})).ok());
  EXPECT_FALSE(CheckConfig(MakeConfig({1, 2, 3}, {3})).ok()) << "voter and learner at once";
  EXPECT_FALSE(CheckConfig(MakeConfig({0})).ok());
  EXPECT_FALSE(CheckConfig(MakeConfig({1}, {0})).ok());
}

TEST(CheckCommand, PayloadBoundKindAndConfig) {
  EXPECT_TRUE(CheckCommand(MakeCommand(1, 1)).ok());
  Command big = MakeCommand(1, 1);
  big.payload.assign(kCommandBytesMax, 'x');
  EXPECT_TRUE(CheckCommand(big).ok());
  big.payload.push_back('x');
  EXPECT_FALSE(CheckCommand(big).ok());
  Command with_config = MakeCommand(1, 1);
  with_config.config = MakeConfig({1});
  EXPECT_FALSE(CheckCommand(with_config).ok());
  Command unknown = MakeCommand(1, 1);
  unknown.kind = static_cast<CommandKind>(7);
  EXPECT_FALSE(CheckCommand(unknown).ok());
  EXPECT_TRUE(CheckCommand(Reconfig({1, 2, 3})).ok());
  EXPECT_FALSE(CheckCommand(Reconfig({})).ok());
  Command replaces_nothing = Reconfig({1, 2, 3});
  replaces_nothing.replaces = 0;
  EXPECT_FALSE(CheckCommand(replaces_nothing).ok());
  Command app_replacing = MakeCommand(1, 1);
  app_replacing.replaces = 1;
  EXPECT_FALSE(CheckCommand(app_replacing).ok());
}

TEST(CheckValue, CommandAndByteBounds) {
  Value value;
  EXPECT_TRUE(CheckValue(value).ok()) << "the no-op";
  for (uint64_t i = 0; i < kBatchCommandsMax; ++i) value.commands.push_back(MakeCommand(1, i));
  EXPECT_TRUE(CheckValue(value).ok());
  value.commands.push_back(MakeCommand(1, kBatchCommandsMax));
  EXPECT_FALSE(CheckValue(value).ok());
  Value heavy;
  for (uint64_t i = 0; i * kCommandBytesMax <= kBatchBytesMax; ++i) {
    heavy.commands.push_back(MakeCommand(1, i));
    heavy.commands.back().payload.assign(kCommandBytesMax, 'x');
  }
  EXPECT_FALSE(CheckValue(heavy).ok());
  EXPECT_FALSE(CheckValue(Value{{MakeCommand(1, 1), Reconfig({2, 2})}}).ok());
}

TEST(ProposeOutOfBounds, RefusedAtOnceWithTheReason) {
  Core core(MakeOptions(1, kConfig));
  const Status status = core.Propose(Reconfig({}));
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("voters"), std::string::npos);
}

// A Request from a peer past the edge (a compromised or buggy node): the leader drops the
// command out of bounds, counts it, and proposes the valid command beside it.
TEST(LeaderOutOfBounds, NeverProposesAMalformedCommand) {
  Core core(MakeOptions(1, kConfig));
  Ballot ballot;
  for (uint32_t t = 0; t <= kElectionTicksMax && ballot.IsNull(); ++t) {
    core.Tick();
    auto prepares = OfType<Prepare>(Take(core).messages);
    if (!prepares.empty()) ballot = prepares[0].second.ballot;
  }
  core.Receive(To(1, 1, Promise{ballot, ballot, {}}));
  core.Receive(To(1, 2, Promise{ballot, ballot, {}}));
  ASSERT_TRUE(core.IsLeader());
  Take(core);
  Command eight = Reconfig(Ids(1, 8));
  eight.sequence = 2;
  core.Receive(To(1, 2, Request{{Reconfig({}), eight, MakeCommand(5, 1)}}));
  const auto accepts = OfType<Accept>(Take(core).messages);
  ASSERT_FALSE(accepts.empty());
  for (const auto& [to, accept] : accepts) {
    EXPECT_EQ(accept.value, (Value{{MakeCommand(5, 1)}}));
  }
  EXPECT_EQ(core.ProposalsRefused(), 2u);
}

// The poison pill itself: a reconfiguration with no voters, then one with 8, decided (by a
// leader of an older build) in slots 1 and 2. Each replica refuses both alike: the same count,
// the configuration unchanged, slot 3 applies after them; and a replica restored from the same
// log does the same, where it used to assert at every WAL replay.
TEST(ReplicaOutOfBounds, DecidedMalformedReconfigurationsAreRefusedAlike) {
  const Value none{{Reconfig({})}};
  const Value eight{{Reconfig(Ids(1, 8))}};
  const Value valid{{MakeCommand(1, 1)}};
  for (NodeId id : {2, 4}) {
    Core core(MakeOptions(id, kConfig));
    core.Receive(To(id, 1, Decision{1, none}));
    core.Receive(To(id, 1, Decision{2, eight}));
    core.Receive(To(id, 1, Decision{3, valid}));
    EXPECT_EQ(Take(core).committed.size(), 3u);
    EXPECT_EQ(core.AppliedSlot(), 3u);
    EXPECT_EQ(core.AppliedRefused(), 2u);
    EXPECT_EQ(core.membership().Latest(), kConfig);
    EXPECT_EQ(core.membership().entry_count(), 1u);
  }
  DurableState restored;
  restored.decisions = {{1, none}, {2, eight}, {3, valid}};
  Core replayed(MakeOptions(2, kConfig), restored);
  Take(replayed);
  EXPECT_EQ(replayed.AppliedSlot(), 3u);
  EXPECT_EQ(replayed.AppliedRefused(), 2u);
  EXPECT_EQ(replayed.membership().Latest(), kConfig);
}

}  // namespace
}  // namespace pifleet::core::testing
