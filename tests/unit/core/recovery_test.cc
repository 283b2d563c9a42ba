// Restart recovery (core/recovery.h, docs/consensus.md): a restarted acceptor votes on nothing
// until a majority of the other voters has told it their promise and what they accepted.
#include <gtest/gtest.h>

#include "tests/unit/core/harness.h"

namespace pifleet::core::testing {
namespace {

const Config kThree = MakeConfig({1, 2, 3});
const Config kFive = MakeConfig({1, 2, 3, 4, 5});

Envelope To(NodeId to, NodeId from, Message message) { return Envelope{from, to, message}; }

CoreOptions Recovering(NodeId id, const Config& config) {
  CoreOptions options = MakeOptions(id, config);
  options.recover_on_start = true;
  return options;
}

Value OneCommand(uint64_t client) { return Value{{MakeCommand(client, 1)}}; }

// The recovery queries a core sent, per peer.
std::map<NodeId, Prepare> Queries(const Output& out) {
  std::map<NodeId, Prepare> queries;
  for (const auto& [to, prepare] : OfType<Prepare>(out.messages)) {
    if (prepare.ballot.round == 0) queries[to] = prepare;
  }
  return queries;
}

TEST(Recovery, QueriesEveryOtherVoterAndVotesOnNothingMeanwhile) {
  Core core(Recovering(2, kThree));
  EXPECT_TRUE(core.Recovering());
  const auto queries = Queries(Take(core));
  ASSERT_EQ(queries.size(), 2u);
  EXPECT_EQ(queries.count(1) + queries.count(3), 2u);
  EXPECT_EQ(queries.at(1).from_slot, 1u);
  core.Receive(To(2, 1, Prepare{Ballot{5, 1}, 1}));
  core.Receive(To(2, 1, Accept{Ballot{5, 1}, 1, OneCommand(7)}));
  const Output out = Take(core);
  EXPECT_TRUE(out.records.empty());
  EXPECT_TRUE(out.after_sync.empty());
  EXPECT_EQ(core.Promised(), Ballot{});
}

TEST(Recovery, AdoptsTheHighestPromiseAndValuesThenVotesAboveThem) {
  Core core(Recovering(2, kThree));
  const auto queries = Queries(Take(core));
  const Ballot nonce = queries.at(1).ballot;
  // Node 1 has accepted slot 4 at ballot (6, 1): the restarted node must now report it.
  core.Receive(To(2, 1, Promise{nonce, Ballot{6, 1}, {PValue{Ballot{6, 1}, 4, OneCommand(9)}}}));
  const auto next = Queries(Take(core));
  ASSERT_EQ(next.count(1), 1u) << "a reply with values is followed by the next page";
  EXPECT_EQ(next.at(1).from_slot, 5u);
  core.Receive(To(2, 1, Promise{nonce, Ballot{6, 1}, {}}));
  EXPECT_TRUE(core.Recovering()) << "one of the two others is not enough with three voters";
  core.Receive(To(2, 3, Promise{nonce, Ballot{3, 3}, {}}));
  EXPECT_FALSE(core.Recovering());
  EXPECT_EQ(core.Promised(), (Ballot{6, 1}));

  core.Receive(To(2, 3, Accept{Ballot{5, 3}, 4, OneCommand(8)}));  // below the adopted promise
  Output out = Take(core);
  ASSERT_EQ(OfType<Accepted>(out.after_sync).size(), 1u);
  EXPECT_EQ(OfType<Accepted>(out.after_sync)[0].second.promised, (Ballot{6, 1})) << "a rejection";
  PassStartWait(core);
  core.Receive(To(2, 3, Prepare{Ballot{7, 3}, 1}));
  out = Take(core);
  const auto promises = OfType<Promise>(out.after_sync);
  ASSERT_EQ(promises.size(), 1u);
  ASSERT_EQ(promises[0].second.accepted.size(), 1u);
  EXPECT_EQ(promises[0].second.accepted[0].slot, 4u);
  EXPECT_EQ(promises[0].second.accepted[0].ballot, (Ballot{6, 1}));
}

TEST(Recovery, IgnoresRepliesToAnEarlierLife) {
  Core core(Recovering(2, kThree));
  const Ballot nonce = Queries(Take(core)).at(1).ballot;
  const Ballot stale{0, nonce.node + 1};
  core.Receive(To(2, 1, Promise{stale, Ballot{9, 1}, {}}));
  core.Receive(To(2, 3, Promise{stale, Ballot{9, 1}, {}}));
  EXPECT_TRUE(core.Recovering());
  EXPECT_EQ(core.Promised(), Ballot{});
}

TEST(Recovery, NeedsThreeOfTheFourOthersWithFiveVoters) {
  Core core(Recovering(5, kFive));
  const Ballot nonce = Queries(Take(core)).at(1).ballot;
  core.Receive(To(5, 1, Promise{nonce, Ballot{}, {}}));
  core.Receive(To(5, 2, Promise{nonce, Ballot{}, {}}));
  EXPECT_TRUE(core.Recovering());
  core.Receive(To(5, 3, Promise{nonce, Ballot{}, {}}));
  EXPECT_FALSE(core.Recovering());
}

TEST(Recovery, RetransmitsToPeersThatHaveNotAnswered) {
  Core core(Recovering(2, kThree));
  const Ballot nonce = Queries(Take(core)).at(1).ballot;
  core.Receive(To(2, 1, Promise{nonce, Ballot{}, {}}));
  Take(core);
  std::map<NodeId, Prepare> again;
  for (uint32_t t = 0; t < kRetransmitTicks && again.empty(); ++t) {
    core.Tick();
    again = Queries(Take(core));
  }
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again.count(3), 1u);
}

TEST(Recovery, ASingleVoterVotesAtOnce) {
  Core single(Recovering(1, MakeConfig({1})));
  EXPECT_FALSE(single.Recovering());
}

// The learner's lost tail may have held the decision that made it a voter, and votes it cast
// as one: a majority of the voters it knows is what reveals that decision.
TEST(Recovery, ALearnerAsksAMajorityOfTheVoters) {
  Core learner(Recovering(4, MakeConfig({1, 2, 3}, {4})));
  EXPECT_TRUE(learner.Recovering());
  const Ballot nonce = Queries(Take(learner)).at(1).ballot;
  learner.Receive(To(4, 1, Promise{nonce, Ballot{}, {}}));
  EXPECT_TRUE(learner.Recovering());
  learner.Receive(To(4, 3, Promise{nonce, Ballot{}, {}}));
  EXPECT_FALSE(learner.Recovering());
}

TEST(Recovery, AReportedReconfigurationAddsItsVotersToTheCount) {
  Core learner(Recovering(4, MakeConfig({1, 2, 3}, {4})));
  const Ballot nonce = Queries(Take(learner)).at(1).ballot;
  Command reconfig;
  reconfig.kind = CommandKind::kReconfig;
  reconfig.replaces = 1;
  reconfig.config = MakeConfig({1, 2, 4}, {3});  // makes node 4 a voter from slot 2 + window
  learner.Receive(
      To(4, 1, Promise{nonce, Ballot{2, 1}, {PValue{Ballot{2, 1}, 2, Value{{reconfig}}}}}));
  learner.Receive(To(4, 1, Promise{nonce, Ballot{2, 1}, {}}));
  learner.Receive(To(4, 3, Promise{nonce, Ballot{2, 1}, {}}));
  EXPECT_TRUE(learner.Recovering()) << "in {1, 2, 4} node 4 needs 2 of the 2 others";
  const auto queries = Queries(Take(learner));
  EXPECT_EQ(queries.count(2), 1u);
  learner.Receive(To(4, 2, Promise{nonce, Ballot{2, 1}, {}}));
  EXPECT_FALSE(learner.Recovering());
}

TEST(Recovery, TheCanaryVotesAtOnce) {
  CoreOptions options = Recovering(2, kThree);
  options.canary = Canary::kVoteAfterLoss;
  Core core(options);
  EXPECT_FALSE(core.Recovering());
}

TEST(Recovery, AnAcceptorAnswersQueriesInPagesAndChangesNothing) {
  Core core(MakeOptions(1, kThree));
  for (Slot slot = 1; slot <= kRecoveryPValuesMax + 3; ++slot) {
    core.Receive(To(1, 3, Accept{Ballot{2, 3}, slot, OneCommand(slot)}));
  }
  Take(core);
  const Ballot query{0, 12345};
  core.SetDiskFull(true);  // still answered: a query records nothing
  core.Receive(To(1, 2, Prepare{query, 2}));
  Output out = Take(core);
  EXPECT_TRUE(out.records.empty());
  auto replies = OfType<Promise>(out.messages);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].second.ballot, query);
  EXPECT_EQ(replies[0].second.promised, (Ballot{2, 3}));
  ASSERT_EQ(replies[0].second.accepted.size(), kRecoveryPValuesMax);
  EXPECT_EQ(replies[0].second.accepted[0].slot, 2u);
  core.Receive(To(1, 2, Prepare{query, kRecoveryPValuesMax + 2}));
  replies = OfType<Promise>(Take(core).messages);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].second.accepted.size(), 2u);
  EXPECT_EQ(core.Promised(), (Ballot{2, 3})) << "a query is not a promise";
}

TEST(Recovery, AnOfferStandsForDecidedSlotsThisNodeThenStaysOutOf) {
  Core core(Recovering(2, kThree));
  const Ballot nonce = Queries(Take(core)).at(1).ballot;
  core.Receive(To(2, 1, SnapshotOffer{20, 100, 7}));
  const auto next = Queries(Take(core));
  ASSERT_EQ(next.count(1), 1u);
  EXPECT_EQ(next.at(1).from_slot, 21u);
  core.Receive(To(2, 1, Promise{nonce, Ballot{4, 1}, {}}));
  core.Receive(To(2, 3, Promise{nonce, Ballot{4, 1}, {}}));
  ASSERT_FALSE(core.Recovering());
  PassStartWait(core);
  core.Receive(To(2, 3, Prepare{Ballot{5, 3}, 20}));
  core.Receive(To(2, 3, Accept{Ballot{5, 3}, 20, OneCommand(1)}));
  EXPECT_TRUE(Take(core).after_sync.empty()) << "slot 20 is inside a peer's snapshot";
  core.Receive(To(2, 3, Prepare{Ballot{5, 3}, 21}));
  EXPECT_EQ(OfType<Promise>(Take(core).after_sync).size(), 1u);
}

TEST(Recovery, ARestartedClusterRecoversAndChoosesAgain) {
  Network restarted(kThree);
  for (NodeId id : kThree.voters) restarted.Replace(id, Recovering(id, kThree));
  for (NodeId id : kThree.voters) EXPECT_TRUE(restarted.core(id).Recovering());
  restarted.Tick(1);
  for (NodeId id : kThree.voters) EXPECT_FALSE(restarted.core(id).Recovering()) << id;
  restarted.Tick(4 * kElectionTicksMax);
  const NodeId leader = restarted.Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_TRUE(restarted.core(leader).Propose(MakeCommand(5, 1)).ok());
  restarted.Tick(10);
  EXPECT_EQ(restarted.applied(leader).size(), 1u);
}

}  // namespace
}  // namespace pifleet::core::testing
