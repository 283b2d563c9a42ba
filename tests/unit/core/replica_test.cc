// Replica tests, after "Paxos Made Moderately Complex" section 3 (replica invariants R1-R5)
// and the 500-lines chapter's catch-up extension.
#include <gtest/gtest.h>

#include <set>

#include "tests/unit/core/harness.h"

namespace pifleet::core::testing {
namespace {

const Config kConfig = MakeConfig({1, 2, 3}, {4});

Envelope To(NodeId to, NodeId from, Message message) { return Envelope{from, to, message}; }
Value Cmd(uint64_t client, uint64_t seq) { return Value{{MakeCommand(client, seq)}}; }

// R4: slot_out never decreases and decisions are applied in slot order without gaps.
TEST(ReplicaPaper, R4AppliesInSlotOrder) {
  Core core(MakeOptions(4, kConfig));
  core.Receive(To(4, 1, Decision{2, Cmd(1, 2)}));
  EXPECT_TRUE(Take(core).committed.empty()) << "slot 1 is a hole";
  core.Receive(To(4, 1, Decision{1, Cmd(1, 1)}));
  Output out = Take(core);
  ASSERT_EQ(out.committed.size(), 2u);
  EXPECT_EQ(out.committed[0].slot, 1u);
  EXPECT_EQ(out.committed[1].slot, 2u);
  EXPECT_EQ(core.AppliedSlot(), 2u);
}

// R1: a duplicate decision with the same value is harmless; it is applied once.
TEST(ReplicaPaper, R1DuplicateDecisionAppliedOnce) {
  Core core(MakeOptions(4, kConfig));
  core.Receive(To(4, 1, Decision{1, Cmd(1, 1)}));
  core.Receive(To(4, 2, Decision{1, Cmd(1, 1)}));
  EXPECT_EQ(Take(core).committed.size(), 1u);
}

// A decision this node's acceptor accepted is recorded by naming that accept (its value is in
// the log once, not twice); a value it did not accept, or accepted differently, is written out.
TEST(ReplicaPaper, DecisionOfAnAcceptedValueNamesTheAccept) {
  Core core(MakeOptions(2, kConfig));
  core.Receive(To(2, 1, Accept{Ballot{1, 1}, 1, Cmd(1, 1)}));
  core.Receive(To(2, 1, Accept{Ballot{1, 1}, 2, Cmd(1, 2)}));
  Take(core);
  core.Receive(To(2, 1, Decision{1, Cmd(1, 1)}));
  core.Receive(To(2, 3, Decision{2, Cmd(3, 2)}));  // decided at a ballot this node missed
  core.Receive(To(2, 1, Decision{3, Cmd(1, 3)}));  // never accepted here
  std::vector<DecisionRecord> records;
  for (const Record& record : Take(core).records) {
    if (const auto* decision = std::get_if<DecisionRecord>(&record)) records.push_back(*decision);
  }
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].accepted_ballot, (Ballot{1, 1}));
  EXPECT_TRUE(records[0].value.IsNoop()) << "named, not copied";
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_TRUE(records[i].accepted_ballot.IsNull()) << "slot " << records[i].slot;
    EXPECT_EQ(records[i].value, Cmd(i == 1 ? 3 : 1, i + 1));
  }
  // Folded in order, as recovery does, each record gives back its decided value.
  DurableState durable;
  durable.Apply(
      Record(std::in_place_type<AcceptRecord>, AcceptRecord{PValue{Ballot{1, 1}, 1, Cmd(1, 1)}}));
  for (const DecisionRecord& decision : records) {
    durable.Apply(Record(std::in_place_type<DecisionRecord>, decision));
  }
  EXPECT_TRUE(durable.decisions_unresolved.empty());
  EXPECT_EQ(durable.decisions.at(1), Cmd(1, 1));
  EXPECT_EQ(durable.decisions.at(2), Cmd(3, 2));
}

// Catch-up: a heartbeat showing the leader ahead makes the replica ask for what it missed, and
// the reply fills the gap.
TEST(ReplicaPaper, CatchesUpFromTheLeader) {
  Core leader_replica(MakeOptions(2, kConfig));
  for (Slot s = 1; s <= 5; ++s) leader_replica.Receive(To(2, 1, Decision{s, Cmd(1, s)}));
  Take(leader_replica);
  Core behind(MakeOptions(4, kConfig));
  behind.Receive(To(4, 2, Active{Ballot{1, 2}, 5}));
  std::vector<std::pair<NodeId, CatchupRequest>> requests;
  for (uint32_t t = 0; t < kCatchupTicks && requests.empty(); ++t) {
    behind.Tick();
    requests = OfType<CatchupRequest>(Take(behind).messages);
  }
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].first, 2u);
  EXPECT_EQ(requests[0].second.from_slot, 1u);
  leader_replica.Receive(To(2, 4, requests[0].second));
  auto replies = OfType<CatchupReply>(Take(leader_replica).messages);
  ASSERT_EQ(replies.size(), 1u);
  behind.Receive(To(4, 2, replies[0].second));
  EXPECT_EQ(Take(behind).committed.size(), 5u);
  EXPECT_EQ(behind.AppliedSlot(), 5u);
}

// With no leader known a replica cannot tell whether it is behind: its log may still call it a
// learner of an old configuration (so it never campaigns) while the nodes that know better wait
// for a leader too. It asks round the known nodes; with a leader heard it asks nobody.
TEST(ReplicaPaper, WithNoLeaderKnownAsksRoundTheNodesForNewerDecisions) {
  Core quiet(MakeOptions(4, kConfig));
  std::set<NodeId> asked;
  for (uint32_t t = 0; t < kElectionTicksMax + 4 * kCatchupTicks; ++t) {
    quiet.Tick();
    for (const auto& [to, request] : OfType<CatchupRequest>(Take(quiet).messages)) {
      EXPECT_EQ(request.from_slot, 1u);
      asked.insert(to);
    }
  }
  EXPECT_GE(asked.size(), 2u) << "it asks more than one node";
  EXPECT_FALSE(asked.count(4)) << "never itself";

  Core led(MakeOptions(4, kConfig));
  for (uint32_t t = 0; t < kElectionTicksMax + 4 * kCatchupTicks; ++t) {
    if (t % 5 == 0) led.Receive(To(4, 1, Active{Ballot{1, 1}, 0}));
    led.Tick();
    EXPECT_TRUE(OfType<CatchupRequest>(Take(led).messages).empty()) << "tick " << t;
  }
}

// R5 / reconfiguration: a change decided in slot s governs slots from s + kWindowSlots on.
TEST(ReplicaPaper, R5ReconfigurationTakesEffectAlphaSlotsLater) {
  Core core(MakeOptions(4, kConfig));
  Command change;
  change.client_id = 99;
  change.sequence = 1;
  change.kind = CommandKind::kReconfig;
  change.replaces = 1;
  change.config = MakeConfig({1, 2, 4}, {3});
  core.Receive(To(4, 1, Decision{3, Value{{change}}}));
  core.Receive(To(4, 1, Decision{1, Value{}}));
  core.Receive(To(4, 1, Decision{2, Value{}}));
  Take(core);
  EXPECT_FALSE(core.membership().ForSlot(3 + kWindowSlots - 1).IsVoter(4));
  EXPECT_TRUE(core.membership().ForSlot(3 + kWindowSlots).IsVoter(4));
  EXPECT_FALSE(core.membership().ForSlot(3 + kWindowSlots).IsVoter(3));
}

Command Change(uint64_t sequence, Slot replaces, Config config) {
  Command change = MakeCommand(99, sequence, "");
  change.kind = CommandKind::kReconfig;
  change.replaces = replaces;
  change.config = std::move(config);
  return change;
}

// A reconfiguration is a compare-and-set on the newest configuration (issue 13): a replay of
// one already applied, decided again later, names a configuration that has been replaced since
// and changes nothing, on every replica and when the log is replayed at restart.
TEST(ReplicaReconfiguration, AReplayedReconfigurationChangesNothing) {
  const Config promote = MakeConfig({1, 2, 4}, {3});
  const Config demote = MakeConfig({1, 2, 3}, {4});
  const Command first = Change(1, 1, promote);
  const Command second = Change(2, 1 + kWindowSlots, demote);
  DurableState log;
  log.decisions = {{1, Value{{first}}}, {2, Value{{second}}}, {3, Value{{first}}}};
  for (NodeId id : {2, 4}) {
    Core core(MakeOptions(id, kConfig));
    for (const auto& [slot, value] : log.decisions) core.Receive(To(id, 1, Decision{slot, value}));
    Take(core);
    EXPECT_EQ(core.AppliedSlot(), 3u);
    EXPECT_EQ(core.membership().Latest(), demote) << "the replay of slot 3 must not promote 4";
    EXPECT_EQ(core.membership().LatestFirstSlot(), 2 + kWindowSlots);
    EXPECT_EQ(core.ReconfigsStale(), 1u);
    EXPECT_EQ(core.AppliedRefused(), 0u);
  }
  Core replayed(MakeOptions(2, kConfig), log);
  Take(replayed);
  EXPECT_EQ(replayed.membership().Latest(), demote);
  EXPECT_EQ(replayed.ReconfigsStale(), 1u);
}

// Two changes proposed against the same configuration: the first decided wins, also when both
// are in one batch; the other is stale (its proposer sees the new configuration and may retry).
TEST(ReplicaReconfiguration, OfTwoAgainstOneConfigurationTheFirstWins) {
  const Config a = MakeConfig({1, 2, 4}, {3});
  const Config b = MakeConfig({1, 3, 4}, {2});
  Core core(MakeOptions(4, kConfig));
  core.Receive(To(4, 1, Decision{1, Value{{Change(1, 1, a), Change(2, 1, b)}}}));
  Take(core);
  EXPECT_EQ(core.membership().Latest(), a);
  EXPECT_EQ(core.ReconfigsStale(), 1u);
}

// The canary that the simulator must catch: without the compare-and-set the replay applies.
TEST(ReplicaReconfiguration, TheCanaryAppliesTheReplay) {
  CoreOptions options = MakeOptions(4, kConfig);
  options.canary = Canary::kReconfigWithoutCas;
  Core core(options);
  const Config promote = MakeConfig({1, 2, 4}, {3});
  core.Receive(To(4, 1, Decision{1, Value{{Change(1, 1, promote)}}}));
  core.Receive(To(4, 1, Decision{2, Value{{Change(2, 1 + kWindowSlots, kConfig)}}}));
  core.Receive(To(4, 1, Decision{3, Value{{Change(1, 1, promote)}}}));
  Take(core);
  EXPECT_EQ(core.membership().Latest(), promote);
  EXPECT_EQ(core.ReconfigsStale(), 0u);
}

}  // namespace
}  // namespace pifleet::core::testing
