// Hand-made histories, each with the reason it is or is not linearizable. Times are small
// integers; [call, return] intervals are closed.
#include "tests/sim/lin/linearizability.h"

#include <gtest/gtest.h>

#include <vector>

namespace pifleet::lin {
namespace {

constexpr uint64_t kBudget = 1'000'000;

Operation Put(uint64_t client, const std::string& value, int64_t call, int64_t ret,
              const std::string& key = "x") {
  Operation op;
  op.client_id = client;
  op.key = key;
  op.kind = OpKind::kPut;
  op.value = value;
  op.call_time = call;
  op.return_time = ret;
  return op;
}

Operation Get(uint64_t client, const std::string& output, int64_t call, int64_t ret,
              const std::string& key = "x") {
  Operation op;
  op.client_id = client;
  op.key = key;
  op.kind = OpKind::kGet;
  op.output = output;
  op.call_time = call;
  op.return_time = ret;
  return op;
}

Operation Cas(uint64_t client, const std::string& expected, const std::string& value, bool ok,
              int64_t call, int64_t ret) {
  Operation op;
  op.client_id = client;
  op.key = "x";
  op.kind = OpKind::kCas;
  op.expected = expected;
  op.value = value;
  op.ok = ok;
  op.call_time = call;
  op.return_time = ret;
  return op;
}

Operation Delete(uint64_t client, int64_t call, int64_t ret) {
  Operation op;
  op.client_id = client;
  op.key = "x";
  op.kind = OpKind::kDelete;
  op.call_time = call;
  op.return_time = ret;
  return op;
}

Operation Refused(Operation op) {
  op.ok = false;
  return op;
}

void ExpectLinearizable(const std::vector<Operation>& history) {
  const CheckResult result = CheckHistory(history, kBudget);
  EXPECT_TRUE(result.linearizable) << result.explanation;
  EXPECT_FALSE(result.undecided);
}

CheckResult ExpectNotLinearizable(const std::vector<Operation>& history) {
  const CheckResult result = CheckHistory(history, kBudget);
  EXPECT_FALSE(result.linearizable);
  EXPECT_FALSE(result.undecided);
  EXPECT_FALSE(result.explanation.empty());
  return result;
}

// ---- linearizable ----

// Nothing happened: trivially linearizable.
TEST(Linearizable, EmptyHistory) { ExpectLinearizable({}); }

// A read after a completed write sees it.
TEST(Linearizable, SequentialPutThenGet) {
  ExpectLinearizable({Put(1, "a", 0, 10), Get(2, "a", 20, 30)});
}

// A key never written reads as absent ("").
TEST(Linearizable, GetOfAbsentKey) { ExpectLinearizable({Get(1, "", 0, 10)}); }

// A read overlapping a write may take effect before it and see the old value...
TEST(Linearizable, ConcurrentGetSeesOldValue) {
  ExpectLinearizable({Put(1, "a", 0, 10), Put(1, "b", 20, 40), Get(2, "a", 30, 50)});
}

// ...or after it and see the new one.
TEST(Linearizable, ConcurrentGetSeesNewValue) {
  ExpectLinearizable({Put(1, "a", 0, 10), Put(1, "b", 20, 40), Get(2, "b", 30, 50)});
}

// Two overlapping puts may take effect in either order; here b then a, although a was called
// first, and every later read agrees on a.
TEST(Linearizable, ConcurrentPutsOrderedAgainstCallOrder) {
  ExpectLinearizable(
      {Put(1, "a", 0, 100), Put(2, "b", 10, 20), Get(3, "b", 25, 30), Get(3, "a", 110, 120)});
}

// cas succeeds on the value it expects; a later cas from the same old value must fail, and did.
TEST(Linearizable, CasSucceedsOnceThenFails) {
  ExpectLinearizable({Put(1, "a", 0, 10), Cas(2, "a", "b", true, 20, 30),
                      Cas(3, "a", "c", false, 40, 50), Get(1, "b", 60, 70)});
}

// Two overlapping cas from the same old value: exactly one succeeds.
TEST(Linearizable, ConcurrentCasOneWins) {
  ExpectLinearizable({Put(1, "a", 0, 10), Cas(2, "a", "b", false, 20, 40),
                      Cas(3, "a", "c", true, 25, 45), Get(1, "c", 50, 60)});
}

// cas with expected "" succeeds on an absent key (create-if-absent).
TEST(Linearizable, CasOnAbsentKey) {
  ExpectLinearizable({Cas(1, "", "a", true, 0, 10), Get(2, "a", 20, 30)});
}

// A pending put may never take effect: nobody ever sees it.
TEST(Linearizable, PendingPutNeverTakesEffect) {
  ExpectLinearizable({Put(1, "a", 0, kPending), Get(2, "", 10, 20), Get(2, "", 1000, 1010)});
}

// A pending put may take effect long after its call: first unseen, later seen.
TEST(Linearizable, PendingPutTakesEffectLate) {
  ExpectLinearizable({Put(1, "a", 0, kPending), Get(2, "", 10, 20), Get(2, "a", 500, 510)});
}

// A pending cas's result is unknown; here it must have succeeded for the read to see "b".
TEST(Linearizable, PendingCasTookEffect) {
  Operation cas = Cas(2, "a", "b", false, 20, kPending);  // ok is ignored for pending ops
  ExpectLinearizable({Put(1, "a", 0, 10), cas, Get(3, "b", 100, 110)});
}

// A delete makes the key read as absent again.
TEST(Linearizable, DeleteThenGetAbsent) {
  ExpectLinearizable({Put(1, "a", 0, 10), Delete(2, 20, 30), Get(3, "", 40, 50)});
}

// Intervals are closed: a read called at the instant a write returned overlaps it and may
// still see the old value.
TEST(Linearizable, TouchingIntervalsAreConcurrent) {
  ExpectLinearizable({Put(1, "a", 0, 10), Get(2, "", 10, 20)});
}

// A refused put never took effect, so reading the old value is right.
TEST(Linearizable, RefusedPutHasNoEffect) {
  ExpectLinearizable({Put(1, "a", 0, 10), Refused(Put(2, "b", 20, 30)), Get(3, "a", 40, 50)});
}

// Keys are independent: interleaving operations on x and y changes nothing.
TEST(Linearizable, KeysAreIndependent) {
  ExpectLinearizable({Put(1, "a", 0, 10, "x"), Put(2, "b", 5, 15, "y"), Get(3, "a", 20, 30, "x"),
                      Get(3, "b", 20, 30, "y"), Get(4, "", 0, 3, "y")});
}

// ---- not linearizable ----

// Stale read: b was written (and acknowledged) before the read began, yet it returned a.
TEST(NotLinearizable, StaleReadAfterCompletedWrite) {
  const CheckResult result =
      ExpectNotLinearizable({Put(1, "a", 0, 10), Put(1, "b", 20, 30), Get(2, "a", 40, 50)});
  EXPECT_EQ(result.key, "x");
  EXPECT_NE(result.explanation.find("client 2 get -> \"a\" [40, 50]"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("the register holds \"b\""), std::string::npos)
      << result.explanation;
}

// Lost write: an acknowledged put is not visible to a read that starts after it.
TEST(NotLinearizable, LostWrite) {
  ExpectNotLinearizable({Put(1, "a", 0, 10), Get(2, "", 20, 30)});
}

// A read returned a value no operation ever wrote.
TEST(NotLinearizable, ReadOfValueNeverWritten) {
  ExpectNotLinearizable({Put(1, "a", 0, 10), Get(2, "zzz", 5, 30)});
}

// cas succeeded twice from the same old value: after the first, the value is no longer a.
TEST(NotLinearizable, CasSucceedsTwiceFromSameValue) {
  ExpectNotLinearizable(
      {Put(1, "a", 0, 10), Cas(2, "a", "b", true, 20, 40), Cas(3, "a", "c", true, 25, 45)});
}

// Real-time order: the read returned b before the put of b was even called.
TEST(NotLinearizable, ReadBeforeWriteWasCalled) {
  ExpectNotLinearizable({Get(1, "b", 0, 10), Put(2, "b", 20, 30)});
}

// A pending write was observed, then a later read no longer sees it: it cannot be undone.
TEST(NotLinearizable, PendingWriteObservedThenUnobserved) {
  ExpectNotLinearizable({Put(1, "a", 0, kPending), Get(2, "a", 10, 20), Get(2, "", 30, 40)});
}

// Two concurrent writes, each applied once; reads see a, then b, then a again: impossible.
TEST(NotLinearizable, ReadsFlipFlopBetweenConcurrentWrites) {
  ExpectNotLinearizable({Put(1, "a", 0, 100), Put(2, "b", 0, 100), Get(3, "a", 10, 20),
                         Get(3, "b", 30, 40), Get(3, "a", 50, 60)});
}

// cas failed although nothing else touched the key and it held the expected value.
TEST(NotLinearizable, CasFailsOnExpectedValue) {
  ExpectNotLinearizable({Put(1, "a", 0, 10), Cas(2, "a", "b", false, 20, 30)});
}

// cas succeeded although the key was absent and it expected a.
TEST(NotLinearizable, CasSucceedsOnWrongValue) {
  ExpectNotLinearizable({Cas(1, "a", "b", true, 0, 10)});
}

// Lost delete: an acknowledged delete is followed by a read of the old value.
TEST(NotLinearizable, LostDelete) {
  ExpectNotLinearizable({Put(1, "a", 0, 10), Delete(2, 20, 30), Get(3, "a", 40, 50)});
}

// A refused put never took effect, so it cannot be read.
TEST(NotLinearizable, RefusedPutObserved) {
  ExpectNotLinearizable({Refused(Put(1, "a", 0, 10)), Get(2, "a", 20, 30)});
}

// Two clients read the same two sequential writes in opposite orders.
TEST(NotLinearizable, ReadsDisagreeOnOrderOfWrites) {
  ExpectNotLinearizable({Put(1, "a", 0, 50), Put(2, "b", 0, 50), Get(3, "a", 10, 20),
                         Get(4, "b", 10, 20), Get(3, "b", 30, 40), Get(4, "a", 30, 40)});
}

// One bad key among good ones is found and named; "a" < "x" < "z" so it is not simply the
// first or last key checked.
TEST(NotLinearizable, BadKeyIsNamed) {
  const CheckResult result = ExpectNotLinearizable(
      {Put(1, "1", 0, 10, "a"), Get(2, "1", 20, 30, "a"), Put(1, "p", 0, 10, "x"),
       Get(2, "q", 20, 30, "x"), Put(1, "2", 0, 10, "z"), Get(2, "2", 20, 30, "z")});
  EXPECT_EQ(result.key, "x");
}

// ---- budget, size and failures ----

// With a budget too small to finish, the answer is undecided, not a guess.
TEST(Budget, ExhaustedBudgetIsUndecided) {
  std::vector<Operation> history;
  for (int i = 0; i < 20; ++i) history.push_back(Put(1, std::to_string(i), 0, 100));
  history.push_back(Get(2, "7", 200, 210));
  const CheckResult result = CheckHistory(history, 5);
  EXPECT_FALSE(result.linearizable);
  EXPECT_TRUE(result.undecided);
  EXPECT_EQ(result.key, "x");
  EXPECT_NE(result.explanation.find("budget"), std::string::npos) << result.explanation;
  EXPECT_TRUE(CheckHistory(history, kBudget).linearizable);
}

// A certain violation on one key is reported even if another key is undecided.
TEST(Budget, NotLinearizableWinsOverUndecided) {
  std::vector<Operation> history;
  for (int i = 0; i < 20; ++i) history.push_back(Put(1, std::to_string(i), 0, 100, "a"));
  history.push_back(Get(2, "7", 200, 210, "a"));
  history.push_back(Get(2, "never", 0, 10, "b"));
  const CheckResult result = CheckHistory(history, 5);
  EXPECT_FALSE(result.linearizable);
  EXPECT_FALSE(result.undecided);
  EXPECT_EQ(result.key, "b");
}

// A long sequential history must not recurse once per operation (this would overflow the
// stack in a recursive search): the search is a loop over an explicit stack.
TEST(Scale, LongHistoryOnOneKeyDoesNotOverflowTheStack) {
  std::vector<Operation> history;
  constexpr int kOps = 50'000;
  for (int i = 0; i < kOps; ++i) {
    history.push_back(Put(1, std::to_string(i), 4 * i, 4 * i + 1));
    history.push_back(Get(2, std::to_string(i), 4 * i + 2, 4 * i + 3));
  }
  EXPECT_TRUE(CheckHistory(history, 10 * kOps).linearizable);
  history.push_back(Get(2, "0", 4 * kOps, 4 * kOps + 1));  // stale
  const CheckResult result = CheckHistory(history, 10 * kOps);
  EXPECT_FALSE(result.linearizable);
  EXPECT_FALSE(result.undecided);
}

// Same input, same result, word for word.
TEST(Determinism, SameHistorySameExplanation) {
  const std::vector<Operation> history = {Put(1, "a", 0, 100), Put(2, "b", 0, 100),
                                          Get(3, "a", 10, 20), Get(3, "b", 30, 40),
                                          Get(3, "a", 50, 60)};
  const CheckResult first = CheckHistory(history, kBudget);
  const CheckResult second = CheckHistory(history, kBudget);
  EXPECT_EQ(first.explanation, second.explanation);
  EXPECT_EQ(first.key, second.key);
}

TEST(CheckHistoryDeathTest, ReturnBeforeCallIsAProgrammerError) {
  EXPECT_DEATH(CheckHistory({Put(1, "a", 10, 5)}, kBudget), "cannot return before its call");
}

}  // namespace
}  // namespace pifleet::lin
