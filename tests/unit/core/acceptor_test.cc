// Acceptor tests, named after the acceptor invariants of van Renesse & Altinbuken, "Paxos Made
// Moderately Complex" (2015), section 3 (A1-A5), and the durability rule of DESIGN section 2.
#include <gtest/gtest.h>

#include "tests/unit/core/harness.h"

namespace pifleet::core::testing {
namespace {

const Config kConfig = MakeConfig({1, 2, 3});

Envelope From(NodeId from, Message message) { return Envelope{from, 2, std::move(message)}; }

// A1: an acceptor adopts only strictly increasing ballots.
TEST(AcceptorPaper, A1PromisesOnlyIncreasingBallots) {
  Core core(MakeOptions(2, kConfig));
  PassStartWait(core);
  core.Receive(From(1, Prepare{Ballot{5, 1}, 1}));
  Output first = Take(core);
  ASSERT_EQ(first.records.size(), 1u);
  EXPECT_EQ(std::get<PromiseRecord>(first.records[0]).ballot, (Ballot{5, 1}));
  core.Receive(From(3, Prepare{Ballot{4, 3}, 1}));
  Output second = Take(core);
  EXPECT_TRUE(second.records.empty());
  auto promises = OfType<Promise>(second.after_sync);
  ASSERT_EQ(promises.size(), 1u);
  EXPECT_EQ(promises[0].second.promised, (Ballot{5, 1})) << "a lower prepare learns the promise";
  EXPECT_EQ(core.Promised(), (Ballot{5, 1}));
}

// A promise and an accepted reply leave only after the record is durable.
TEST(AcceptorPaper, RepliesWaitForTheSync) {
  Core core(MakeOptions(2, kConfig));
  PassStartWait(core);
  core.Receive(From(1, Prepare{Ballot{1, 1}, 1}));
  core.Receive(From(1, Accept{Ballot{1, 1}, 1, Value{{MakeCommand(9, 1)}}}));
  Output out = Take(core);
  EXPECT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(OfType<Promise>(out.messages).empty());
  EXPECT_TRUE(OfType<Accepted>(out.messages).empty());
  EXPECT_EQ(OfType<Promise>(out.after_sync).size(), 1u);
  EXPECT_EQ(OfType<Accepted>(out.after_sync).size(), 1u);
}

// A3: an acceptor accepts a pvalue only at a ballot >= its promise.
TEST(AcceptorPaper, A3AcceptsOnlyAtOrAboveThePromise) {
  Core core(MakeOptions(2, kConfig));
  PassStartWait(core);
  core.Receive(From(1, Prepare{Ballot{3, 1}, 1}));
  Take(core);
  core.Receive(From(3, Accept{Ballot{2, 3}, 1, Value{{MakeCommand(9, 1)}}}));
  Output rejected = Take(core);
  EXPECT_TRUE(rejected.records.empty());
  auto replies = OfType<Accepted>(rejected.after_sync);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].second.promised, (Ballot{3, 1}));
  core.Receive(From(1, Accept{Ballot{3, 1}, 1, Value{{MakeCommand(9, 1)}}}));
  EXPECT_EQ(Take(core).records.size(), 1u);
}

// An accept above the promise raises it, and logs the raised promise as a record of its own:
// compaction drops old accept records, never the newest promise.
TEST(AcceptorPaper, AcceptAboveThePromiseLogsThePromiseToo) {
  Core core(MakeOptions(2, kConfig));
  PassStartWait(core);
  core.Receive(From(1, Prepare{Ballot{3, 1}, 1}));
  Take(core);
  core.Receive(From(1, Accept{Ballot{4, 1}, 1, Value{{MakeCommand(9, 1)}}}));
  Output out = Take(core);
  ASSERT_EQ(out.records.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<PromiseRecord>(out.records[0]));
  EXPECT_EQ(std::get<PromiseRecord>(out.records[0]).ballot, (Ballot{4, 1}));
  EXPECT_TRUE(std::holds_alternative<AcceptRecord>(out.records[1]));
}

// A4/A5: a promise reports, per slot, the highest-ballot pvalue accepted, from `from_slot` on.
TEST(AcceptorPaper, A4PromiseReportsHighestAcceptedFromSlot) {
  Core core(MakeOptions(2, kConfig));
  PassStartWait(core);
  core.Receive(From(1, Accept{Ballot{1, 1}, 1, Value{{MakeCommand(1, 1)}}}));
  core.Receive(From(1, Accept{Ballot{1, 1}, 2, Value{{MakeCommand(1, 2)}}}));
  core.Receive(From(3, Accept{Ballot{2, 3}, 2, Value{{MakeCommand(3, 1)}}}));
  Take(core);
  core.Receive(From(1, Prepare{Ballot{4, 1}, 2}));
  auto promises = OfType<Promise>(Take(core).after_sync);
  ASSERT_EQ(promises.size(), 1u);
  const Promise& promise = promises[0].second;
  ASSERT_EQ(promise.accepted.size(), 1u) << "slot 1 is below from_slot";
  EXPECT_EQ(promise.accepted[0].slot, 2u);
  EXPECT_EQ(promise.accepted[0].ballot, (Ballot{2, 3}));
}

// A restarted acceptor comes back with its synced promise and accepted values.
TEST(AcceptorPaper, RestartKeepsDurableState) {
  DurableState durable;
  {
    Core core(MakeOptions(2, kConfig));
    PassStartWait(core);
    core.Receive(From(1, Prepare{Ballot{7, 1}, 1}));
    core.Receive(From(1, Accept{Ballot{7, 1}, 3, Value{{MakeCommand(1, 1)}}}));
    for (const Record& record : Take(core).records) durable.Apply(record);
  }
  Core restarted(MakeOptions(2, kConfig), durable);
  EXPECT_EQ(restarted.Promised(), (Ballot{7, 1}));
  PassStartWait(restarted);
  restarted.Receive(From(3, Prepare{Ballot{8, 3}, 1}));
  auto promises = OfType<Promise>(Take(restarted).after_sync);
  ASSERT_EQ(promises.size(), 1u);
  ASSERT_EQ(promises[0].second.accepted.size(), 1u);
  EXPECT_EQ(promises[0].second.accepted[0].slot, 3u);
}

}  // namespace
}  // namespace pifleet::core::testing
