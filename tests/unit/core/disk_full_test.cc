// A node whose disk is full stops voting (issue 5, DESIGN §5) and a leader is adopted only with
// its own durable promise, so a restart can never reuse a ballot it led with.
#include <gtest/gtest.h>

#include "tests/unit/core/harness.h"

namespace pifleet::core::testing {
namespace {

const Config kConfig = MakeConfig({1, 2, 3});

Envelope To(NodeId to, NodeId from, Message message) { return Envelope{from, to, message}; }

Ballot Campaign(Core& core) {
  for (uint32_t t = 0; t <= 2 * kElectionTicksMax; ++t) {
    core.Tick();
    auto prepares = OfType<Prepare>(Take(core).messages);
    if (!prepares.empty()) return prepares[0].second.ballot;
  }
  return Ballot{};
}

TEST(LeaderOwnPromise, NotAdoptedUntilItsOwnPromiseArrives) {
  Core core(MakeOptions(1, kConfig));
  const Ballot b = Campaign(core);
  ASSERT_FALSE(b.IsNull());
  core.Receive(To(1, 2, Promise{b, b, {}}));
  core.Receive(To(1, 3, Promise{b, b, {}}));
  EXPECT_FALSE(core.IsLeader()) << "two of three promised, but not its own acceptor";
  core.Receive(To(1, 1, Promise{b, b, {}}));
  EXPECT_TRUE(core.IsLeader());
}

TEST(LeaderOwnPromise, RestartCampaignsAboveTheBallotItLedWith) {
  Core first(MakeOptions(1, kConfig));
  const Ballot b = Campaign(first);
  first.Receive(To(1, 1, Prepare{b, 1}));  // its own acceptor: the promise record and reply
  Output out = Take(first);
  ASSERT_EQ(out.records.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<PromiseRecord>(out.records[0]));
  DurableState durable;
  durable.promised = std::get<PromiseRecord>(out.records[0]).ballot;
  Core restarted(MakeOptions(1, kConfig), durable);
  EXPECT_GT(Campaign(restarted), b);
}

TEST(DiskFull, AcceptorAnswersNothingAndRecordsNothing) {
  Core core(MakeOptions(2, kConfig));
  PassStartWait(core);
  core.SetDiskFull(true);
  core.Receive(To(2, 1, Prepare{Ballot{5, 1}, 1}));
  core.Receive(To(2, 1, Accept{Ballot{5, 1}, 1, Value{{MakeCommand(7, 1)}}}));
  Output out = Take(core);
  EXPECT_TRUE(out.records.empty());
  EXPECT_TRUE(out.after_sync.empty());
  EXPECT_EQ(core.Promised(), Ballot{});
  core.SetDiskFull(false);
  core.Receive(To(2, 1, Prepare{Ballot{5, 1}, 1}));
  out = Take(core);
  EXPECT_EQ(out.records.size(), 1u);
  EXPECT_EQ(OfType<Promise>(out.after_sync).size(), 1u) << "votes again once space returns";
}

TEST(DiskFull, NoCampaignWhileFullAndAScoutInProgressIsDropped) {
  Core core(MakeOptions(1, kConfig));
  const Ballot b = Campaign(core);
  core.SetDiskFull(true);
  core.Receive(To(1, 2, Promise{b, b, {}}));
  core.Receive(To(1, 3, Promise{b, b, {}}));
  EXPECT_FALSE(core.IsLeader());
  for (uint32_t t = 0; t < 5 * kElectionTicksMax; ++t) {
    core.Tick();
    EXPECT_TRUE(OfType<Prepare>(Take(core).messages).empty()) << "tick " << t;
  }
  core.SetDiskFull(false);
  EXPECT_GT(Campaign(core), b);
}

TEST(DiskFull, AnActiveLeaderKeepsLeadingWithTheOthersAcks) {
  Core core(MakeOptions(1, kConfig));
  const Ballot b = Campaign(core);
  for (NodeId from : {1, 2}) core.Receive(To(1, from, Promise{b, b, {}}));
  ASSERT_TRUE(core.IsLeader());
  Take(core);
  core.SetDiskFull(true);
  ASSERT_TRUE(core.Propose(MakeCommand(9, 1)).ok());
  Output out = Take(core);
  auto accepts = OfType<Accept>(out.messages);
  ASSERT_EQ(accepts.size(), 3u);
  const Slot slot = accepts[0].second.slot;
  core.Receive(To(1, 1, accepts[0].second));  // its own acceptor does not vote
  EXPECT_TRUE(Take(core).after_sync.empty());
  core.Receive(To(1, 2, Accepted{b, slot, b}));
  core.Receive(To(1, 3, Accepted{b, slot, b}));
  out = Take(core);
  ASSERT_EQ(out.committed.size(), 1u) << "decided by the two voters with space";
  EXPECT_EQ(out.committed[0].slot, slot);
  EXPECT_TRUE(core.IsLeader());
}

}  // namespace
}  // namespace pifleet::core::testing
