// Leader tests (Scout = phase 1, Commander = phase 2), after "Paxos Made Moderately Complex"
// section 3 (leader, scout, commander) and section 4 (stable leader, no duelling leaders).
#include <gtest/gtest.h>

#include "tests/unit/core/harness.h"

namespace pifleet::core::testing {
namespace {

const Config kConfig = MakeConfig({1, 2, 3}, {4});

// Ticks a lone core until it starts a scout; returns the ballot of its Prepare.
Ballot Campaign(Core& core) {
  for (uint32_t t = 0; t <= kElectionTicksMax; ++t) {
    core.Tick();
    auto prepares = OfType<Prepare>(Take(core).messages);
    if (!prepares.empty()) return prepares[0].second.ballot;
  }
  return Ballot{};
}

Envelope To(NodeId to, NodeId from, Message message) { return Envelope{from, to, message}; }

// A follower that hears nothing suspects the leader within the randomised timeout and sends
// Prepare to every voter (itself included), never to learners.
TEST(LeaderPaper, SuspicionStartsAScoutToVotersOnly) {
  Core core(MakeOptions(1, kConfig));
  uint32_t ticks = 0;
  std::vector<std::pair<NodeId, Prepare>> prepares;
  while (prepares.empty() && ticks <= kElectionTicksMax) {
    core.Tick();
    ++ticks;
    prepares = OfType<Prepare>(Take(core).messages);
  }
  EXPECT_GE(ticks, kElectionTicksMin);
  ASSERT_EQ(prepares.size(), 3u);
  for (const auto& [to, prepare] : prepares) {
    EXPECT_NE(to, 4u) << "learners never vote";
    EXPECT_EQ(prepare.ballot, (Ballot{1, 1}));
  }
}

TEST(LeaderPaper, LearnerNeverCampaigns) {
  Core learner(MakeOptions(4, kConfig));
  for (uint32_t t = 0; t < 5 * kElectionTicksMax; ++t) {
    learner.Tick();
    EXPECT_TRUE(OfType<Prepare>(Take(learner).messages).empty());
  }
}

// Adopted only with a quorum of promises; then it re-proposes the highest-ballot value the
// promises reported (pmax) and fills the holes below it with no-ops.
TEST(LeaderPaper, AdoptionReproposesPmaxAndFillsHoles) {
  Core core(MakeOptions(1, kConfig));
  const Ballot b = Campaign(core);
  Promise self{b, b, {}};
  core.Receive(To(1, 1, self));
  EXPECT_FALSE(core.IsLeader()) << "one promise of three is no quorum";
  Promise with_values{b, b, {}};
  with_values.accepted.push_back(PValue{Ballot{0, 2}, 3, Value{{MakeCommand(5, 1, "old")}}});
  with_values.accepted.push_back(PValue{Ballot{0, 3}, 3, Value{{MakeCommand(6, 1, "new")}}});
  core.Receive(To(1, 2, with_values));
  ASSERT_TRUE(core.IsLeader());
  std::map<Slot, Value> proposed;
  for (const auto& [to, accept] : OfType<Accept>(Take(core).messages)) {
    EXPECT_EQ(accept.ballot, b);
    proposed[accept.slot] = accept.value;
  }
  ASSERT_EQ(proposed.size(), 3u);
  EXPECT_TRUE(proposed[1].IsNoop());
  EXPECT_TRUE(proposed[2].IsNoop());
  ASSERT_EQ(proposed[3].commands.size(), 1u);
  EXPECT_EQ(proposed[3].commands[0].payload, "new") << "the highest ballot wins";
}

// A preempted leader follows the higher ballot and does not start a scout of its own until
// that leader falls silent (no duelling leaders).
TEST(LeaderPaper, PreemptedLeaderWaitsInsteadOfDuelling) {
  Core core(MakeOptions(1, kConfig));
  const Ballot b = Campaign(core);
  core.Receive(To(1, 1, Promise{b, b, {}}));
  core.Receive(To(1, 2, Promise{b, b, {}}));
  ASSERT_TRUE(core.IsLeader());
  Take(core);
  core.Receive(To(1, 3, Accepted{b, 1, Ballot{b.round + 1, 3}}));
  EXPECT_FALSE(core.IsLeader());
  EXPECT_EQ(core.LeaderHint(), 3u);
  for (uint32_t t = 0; t + 1 < kElectionTicksMin; ++t) {
    core.Tick();
    EXPECT_TRUE(OfType<Prepare>(Take(core).messages).empty());
  }
}

// Stable leader: phase 1 runs once per ballot; later commands go straight to phase 2, many
// commands share one slot (batching), and at most kWindowSlots slots are in flight.
class ActiveLeader : public ::testing::Test {
 protected:
  void Elect(uint32_t batch_commands_max) {
    CoreOptions options = MakeOptions(1, kConfig);
    options.batch_commands_max = batch_commands_max;
    core_ = std::make_unique<Core>(options);
    ballot_ = Campaign(*core_);
    core_->Receive(To(1, 1, Promise{ballot_, ballot_, {}}));
    core_->Receive(To(1, 2, Promise{ballot_, ballot_, {}}));
    ASSERT_TRUE(core_->IsLeader());
    Take(*core_);
  }
  std::unique_ptr<Core> core_;
  Ballot ballot_;
};

TEST_F(ActiveLeader, BatchesCommandsThatQueueBehindAFullWindow) {
  Elect(kBatchCommandsMax);
  // An idle leader sends each command at once (one per slot) until the window is full; the
  // commands that queue behind it then share the next slot that opens.
  const uint64_t queued = 20;
  for (uint64_t seq = 1; seq <= kWindowSlots + queued; ++seq) {
    ASSERT_TRUE(core_->Propose(MakeCommand(1, seq)).ok());
  }
  Output out = Take(*core_);
  EXPECT_TRUE(OfType<Prepare>(out.messages).empty()) << "phase 1 once per ballot";
  std::set<Slot> slots;
  for (const auto& [to, accept] : OfType<Accept>(out.messages)) slots.insert(accept.slot);
  EXPECT_EQ(slots.size(), kWindowSlots);
  core_->Receive(To(1, 1, Accepted{ballot_, 1, ballot_}));
  core_->Receive(To(1, 2, Accepted{ballot_, 1, ballot_}));
  auto accepts = OfType<Accept>(Take(*core_).messages);
  ASSERT_FALSE(accepts.empty());
  for (const auto& [to, accept] : accepts) {
    EXPECT_EQ(accept.slot, kWindowSlots + 1);
    EXPECT_EQ(accept.value.commands.size(), queued);
  }
}

// Commands that arrive in one burst (a leader's socket holding many requests at a wake) share
// a slot at EndBurst() instead of each taking a free slot of the window alone; a tick inside
// the burst still starts slots, and without a burst nothing changes.
TEST_F(ActiveLeader, CommandsOfABurstShareASlot) {
  Elect(kBatchCommandsMax);
  core_->BeginBurst();
  for (uint64_t seq = 1; seq <= 5; ++seq) ASSERT_TRUE(core_->Propose(MakeCommand(1, seq)).ok());
  core_->Receive(To(1, 2, Request{{MakeCommand(2, 1), MakeCommand(2, 2)}}));
  EXPECT_TRUE(OfType<Accept>(Take(*core_).messages).empty()) << "nothing starts inside a burst";
  EXPECT_EQ(core_->TicksUntilDue(), 1u) << "a sleeping driver must not sleep through it";
  core_->EndBurst();
  auto accepts = OfType<Accept>(Take(*core_).messages);
  ASSERT_EQ(accepts.size(), 3u) << "one slot, to each voter";
  for (const auto& [to, accept] : accepts) {
    EXPECT_EQ(accept.slot, 1u);
    EXPECT_EQ(accept.value.commands.size(), 7u);
  }

  core_->BeginBurst();
  ASSERT_TRUE(core_->Propose(MakeCommand(1, 6)).ok());
  core_->Tick();
  accepts = OfType<Accept>(Take(*core_).messages);
  ASSERT_EQ(accepts.size(), 3u) << "a tick starts slots inside a burst too";
  EXPECT_EQ(accepts[0].second.slot, 2u);
  core_->EndBurst();
  EXPECT_TRUE(OfType<Accept>(Take(*core_).messages).empty());

  ASSERT_TRUE(core_->Propose(MakeCommand(1, 7)).ok());
  ASSERT_TRUE(core_->Propose(MakeCommand(1, 8)).ok());
  std::set<Slot> slots;
  for (const auto& [to, accept] : OfType<Accept>(Take(*core_).messages)) slots.insert(accept.slot);
  EXPECT_EQ(slots, (std::set<Slot>{3, 4})) << "outside a burst, a slot each";
}

TEST_F(ActiveLeader, WindowBoundsSlotsInFlightAndBatchingOffUsesOneSlotPerCommand) {
  Elect(1);
  for (uint64_t seq = 1; seq <= 3 * kWindowSlots; ++seq) {
    ASSERT_TRUE(core_->Propose(MakeCommand(1, seq)).ok());
  }
  std::set<Slot> slots;
  for (const auto& [to, accept] : OfType<Accept>(Take(*core_).messages)) {
    EXPECT_EQ(accept.value.commands.size(), 1u);
    slots.insert(accept.slot);
  }
  EXPECT_EQ(slots.size(), kWindowSlots);
  // Deciding slot 1 (a quorum of accepts) opens exactly one more slot.
  core_->Receive(To(1, 1, Accepted{ballot_, 1, ballot_}));
  core_->Receive(To(1, 4, Accepted{ballot_, 1, ballot_}));  // a learner's vote does not count
  EXPECT_TRUE(OfType<Accept>(Take(*core_).messages).empty());
  core_->Receive(To(1, 2, Accepted{ballot_, 1, ballot_}));
  Output out = Take(*core_);
  EXPECT_EQ(OfType<Decision>(out.messages).size(), 3u) << "decision to 2, 3 and learner 4";
  ASSERT_EQ(out.committed.size(), 1u);
  std::set<Slot> next;
  for (const auto& [to, accept] : OfType<Accept>(out.messages)) next.insert(accept.slot);
  EXPECT_EQ(next, (std::set<Slot>{kWindowSlots + 1}));
}

// Reconfiguration (PMMC's WINDOW): slots governed by a new configuration are proposed only once
// a quorum of the new voters has promised the leader's ballot; the leader asks them with its
// same ballot (phase 1 is not re-run for the old voters).
TEST_F(ActiveLeader, NewVotersMustPromiseBeforeTheirSlotsAreProposed) {
  Elect(1);
  Command change = MakeCommand(99, 1);
  change.kind = CommandKind::kReconfig;
  change.replaces = 1;
  change.config = MakeConfig({1, 4, 5}, {2, 3});
  ASSERT_TRUE(core_->Propose(change).ok());
  Take(*core_);
  core_->Receive(To(1, 1, Accepted{ballot_, 1, ballot_}));
  core_->Receive(To(1, 2, Accepted{ballot_, 1, ballot_}));
  std::set<Slot> slots;  // the old configuration's slots are filled (with no-ops) at once
  for (const auto& [to, accept] : OfType<Accept>(Take(*core_).messages)) slots.insert(accept.slot);
  for (uint64_t seq = 1; seq <= 2 * kWindowSlots; ++seq) {
    ASSERT_TRUE(core_->Propose(MakeCommand(1, seq)).ok());
  }
  for (const auto& [to, accept] : OfType<Accept>(Take(*core_).messages)) slots.insert(accept.slot);
  ASSERT_FALSE(slots.empty());
  EXPECT_EQ(*slots.rbegin(), kWindowSlots) << "slot 1 + alpha waits for the new voters";
  std::set<NodeId> asked;
  for (uint32_t t = 0; t < kRetransmitTicks; ++t) {
    core_->Tick();
    for (const auto& [to, prepare] : OfType<Prepare>(Take(*core_).messages)) {
      EXPECT_EQ(prepare.ballot, ballot_);
      asked.insert(to);
    }
  }
  EXPECT_TRUE(asked.count(4) && asked.count(5));
  core_->Receive(To(1, 4, Promise{ballot_, ballot_, {}}));
  std::set<NodeId> voters;
  for (const auto& [to, accept] : OfType<Accept>(Take(*core_).messages)) {
    if (accept.slot == 1 + kWindowSlots) voters.insert(to);
  }
  EXPECT_EQ(voters, (std::set<NodeId>{1, 4, 5}));
}

// After a reconfiguration is decided in slot s, the slots up to s + alpha - 1 still belong to
// the old configuration. The leader fills them with no-ops at once, while the old quorum is
// there: an empty one would later need that quorum (a 2-voter configuration that lost a voter
// never decides it) and block every slot after it.
TEST_F(ActiveLeader, FillsTheOldConfigurationsSlotsWithNoOpsOnceAChangeIsDecided) {
  Elect(1);
  Command change = MakeCommand(99, 1);
  change.kind = CommandKind::kReconfig;
  change.replaces = 1;
  change.config = MakeConfig({1, 2, 3, 4}, {});
  ASSERT_TRUE(core_->Propose(change).ok());
  Take(*core_);
  core_->Receive(To(1, 1, Accepted{ballot_, 1, ballot_}));
  core_->Receive(To(1, 2, Accepted{ballot_, 1, ballot_}));
  std::map<Slot, Value> proposed;
  for (const auto& [to, accept] : OfType<Accept>(Take(*core_).messages)) {
    proposed[accept.slot] = accept.value;
  }
  for (Slot slot = 2; slot <= kWindowSlots; ++slot) {
    ASSERT_TRUE(proposed.count(slot)) << "slot " << slot << " of the old configuration is left";
    EXPECT_TRUE(proposed[slot].IsNoop());
  }
  EXPECT_FALSE(proposed.count(1 + kWindowSlots)) << "the new configuration's slots wait";
}

}  // namespace
}  // namespace pifleet::core::testing
