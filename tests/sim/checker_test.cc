// The simulator's own pieces: the checkers fire on what they must catch, a node's disk (the
// store on a FaultEnv) loses exactly the unsynced records on a crash, and the network honours
// its partitions.
#include <gtest/gtest.h>

#include "agent/store/core_log.h"
#include "tests/sim/checker.h"
#include "tests/sim/clients.h"
#include "tests/sim/network.h"
#include "tests/sim/session_replay.h"
#include "tests/sim/sim_node.h"
#include "tests/sim/simulation.h"
#include "tests/sim/watchers.h"

namespace pifleet::sim {
namespace {

core::Value Batch(uint64_t client) {
  core::Command command;
  command.client_id = client;
  command.sequence = 1;
  return core::Value{{command}};
}

TEST(SafetyChecker, CatchesTwoValuesInOneSlot) {
  SafetyChecker checker;
  checker.OnApply(1, 0, 1, Batch(1));
  checker.OnApply(2, 0, 1, Batch(1));
  EXPECT_FALSE(checker.failed());
  checker.OnApply(3, 0, 1, Batch(2));
  EXPECT_TRUE(checker.failed());
  EXPECT_NE(checker.violation().find("slot 1 has two values"), std::string::npos);
}

TEST(SafetyChecker, CatchesOutOfOrderApplyDivergentStateAndFallingPromise) {
  SafetyChecker gap;
  gap.OnApply(1, 0, 2, Batch(1));
  EXPECT_NE(gap.violation().find("out of order"), std::string::npos);
  SafetyChecker state;
  state.OnDigest(1, 5, 42);
  state.OnDigest(2, 5, 42);
  EXPECT_FALSE(state.failed());
  state.OnDigest(3, 5, 43);
  EXPECT_NE(state.violation().find("diverge"), std::string::npos);
  SafetyChecker promise;
  promise.OnPromise(1, core::Ballot{3, 1}, core::Ballot{3, 1});
  EXPECT_FALSE(promise.failed());
  promise.OnPromise(1, core::Ballot{2, 2}, core::Ballot{3, 1});
  EXPECT_NE(promise.violation().find("went back"), std::string::npos);
}

// Built in place: copying a whole variant trips gcc 12's maybe-uninitialized.
core::Record Promise(uint64_t round) {
  return core::Record(std::in_place_type<core::PromiseRecord>,
                      core::PromiseRecord{core::Ballot{round, 1}});
}

TEST(SimDisk, CrashDropsOnlyUnsyncedRecords) {
  store::FaultEnv env(3);
  store::CoreRecovery recovery;
  ASSERT_TRUE(store::RecoverCore(&env, kSimDataDir, {kSimSegmentBytes}, &recovery).ok());
  uint64_t lsn = 0;
  ASSERT_TRUE(store::AppendCoreRecord(recovery.wal.get(), Promise(1), &lsn).ok());
  ASSERT_TRUE(recovery.wal->Sync().ok());
  ASSERT_TRUE(store::AppendCoreRecord(recovery.wal.get(), Promise(2), &lsn).ok());
  recovery.wal.reset();
  env.Crash(store::FaultEnv::CrashMode::kDropUnsynced);
  ASSERT_TRUE(store::RecoverCore(&env, kSimDataDir, {kSimSegmentBytes}, &recovery).ok());
  EXPECT_EQ(recovery.durable.promised, (core::Ballot{1, 1}));
}

TEST(Network, PartitionsBlockAndHealRestores) {
  core::Rng rng(7);
  FaultParams params;
  Network network(rng, params);
  bool blocked_any = false;
  for (int i = 0; i < 20 && !blocked_any; ++i) {
    network.Partition({1, 2, 3, 4, 5});
    blocked_any = network.blocked_links() > 0;
  }
  ASSERT_TRUE(blocked_any);
  for (uint64_t a = 1; a <= 5; ++a) {
    for (uint64_t b = 1; b <= 5; ++b) {
      if (network.Blocked(a, b)) {
        EXPECT_TRUE(network.Deliveries(a, b).empty());
      }
    }
  }
  EXPECT_EQ(network.Deliveries(3, 3).size(), 1u) << "a node always reaches itself";
  network.Heal();
  network.SetQuiet(true);
  EXPECT_EQ(network.Deliveries(1, 2).size(), 1u);
}

TEST(Simulation, SameSeedSameRunDifferentSeedDifferentRun) {
  SimOptions options;
  options.voters = 3;
  options.learners = 1;
  const SeedResult a = Simulation(11, options).Run();
  const SeedResult b = Simulation(11, options).Run();
  const SeedResult c = Simulation(12, options).Run();
  EXPECT_FALSE(a.violation) << a.what;
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.committed, b.committed);
  EXPECT_NE(a.trace_hash, c.trace_hash);
}

// Past the recording limit, an operation that returns at or after the first unrecorded call
// stays pending: it may have seen an unrecorded write, so the checker must not judge it.
TEST(ClientPoolTest, RecordsAPrefixAndLeavesOperationsOverlappingTheCutPending) {
  core::Rng rng(7);
  ClientPool pool(rng, 3, /*history_ops_max=*/2);
  auto& clients = pool.clients();
  pool.Begin(clients[0], 0);
  pool.Begin(clients[1], 5);
  EXPECT_TRUE(pool.Complete(1, clients[0].sequence, sm::KvResult{true, ""}, 10));
  pool.Begin(clients[2], 20);  // unrecorded: the cut is at 20
  EXPECT_TRUE(pool.Complete(2, clients[1].sequence, sm::KvResult{true, ""}, 30));
  EXPECT_TRUE(pool.Complete(3, clients[2].sequence, sm::KvResult{true, ""}, 40));
  ASSERT_EQ(pool.history().size(), 2u);
  EXPECT_EQ(pool.history()[0].return_time, 10);
  EXPECT_EQ(pool.history()[1].return_time, lin::kPending);
  EXPECT_EQ(pool.completed(), 3u);
  EXPECT_TRUE(pool.AllIdle());
}

}  // namespace
}  // namespace pifleet::sim

namespace pifleet::sim {
namespace {

// The exactly-once check catches a (session, sequence) executed twice on one node; a duplicate
// or refused answer, or a restart that re-applies its log, is no violation.
TEST(SessionReplay, ExecutingTwiceIsAViolation) {
  SessionReplay replay;
  const core::Command put{
      5, 1, core::CommandKind::kApp, sm::EncodeKvOp({sm::KvKind::kPut, "k", "v", ""}), {}};
  const sm::KvResult applied;
  EXPECT_EQ(replay.OnApplied(1, 0, put, applied), "");
  sm::KvResult duplicate = applied;
  duplicate.outcome = sm::KvResult::Outcome::kDuplicate;
  EXPECT_EQ(replay.OnApplied(1, 0, put, duplicate), "");
  EXPECT_EQ(replay.OnApplied(2, 0, put, applied), "") << "another node";
  EXPECT_EQ(replay.OnApplied(1, 1, put, applied), "") << "a restarted node re-applies its log";
  EXPECT_NE(replay.OnApplied(1, 1, put, applied), "");
  core::Rng rng(7);
  ASSERT_TRUE(replay.Pick(rng).has_value());
}

// Three puts applied by a node; the reply a hub would give for [from, to) of them.
class WatcherPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* value : {"a", "b", "c"}) {
      kv_.Apply(sm::EncodeKvOp({sm::KvKind::kPut, "k", value, ""}));
      ASSERT_EQ(pool_.NoteApplied(1, kv_), "");
      events_.push_back({0, kv_.last_events().front().row});
    }
  }
  wire::WatchReplyBody Reply(size_t from, size_t to) const {
    wire::WatchReplyBody reply;
    reply.events.assign(events_.begin() + static_cast<long>(from),
                        events_.begin() + static_cast<long>(to));
    reply.next_revision = to + 1;
    return reply;
  }
  sm::KvStore kv_;
  WatcherPool pool_{1, false};
  std::vector<wire::WatchEventBody> events_;
  bool moved_ = false;
};

TEST_F(WatcherPoolTest, AcceptsEveryEventOnceInOrderAcrossReplies) {
  EXPECT_EQ(pool_.OnReply(0, Reply(0, 2), 3, &moved_), "");
  EXPECT_EQ(pool_.OnReply(0, Reply(2, 3), 3, &moved_), "");
  EXPECT_EQ(pool_.events_checked(), 3U);
}

TEST_F(WatcherPoolTest, CatchesADuplicate) {
  EXPECT_EQ(pool_.OnReply(0, Reply(0, 2), 3, &moved_), "");
  EXPECT_NE(pool_.OnReply(0, Reply(1, 3), 3, &moved_).find("duplicate"), std::string::npos);
}

TEST_F(WatcherPoolTest, CatchesAGap) {
  EXPECT_EQ(pool_.OnReply(0, Reply(0, 1), 3, &moved_), "");
  EXPECT_NE(pool_.OnReply(0, Reply(2, 3), 3, &moved_).find("gap"), std::string::npos);
}

TEST_F(WatcherPoolTest, CatchesAnEventOtherThanTheOneApplied) {
  wire::WatchReplyBody reply = Reply(0, 1);
  reply.events[0].row.value = "x";
  EXPECT_NE(pool_.OnReply(0, reply, 3, &moved_).find("differs"), std::string::npos);
}

TEST_F(WatcherPoolTest, CatchesTheResumeAtLastCanary) {
  WatcherPool canary(1, true);
  sm::KvStore kv;
  for (const char* value : {"a", "b"}) {
    kv.Apply(sm::EncodeKvOp({sm::KvKind::kPut, "k", value, ""}));
    ASSERT_EQ(canary.NoteApplied(1, kv), "");
  }
  ASSERT_EQ(canary.OnReply(0, Reply(0, 1), 3, &moved_), "");
  canary.MoveTo(0, 1);  // asks from revision 1 again, not 2
  EXPECT_EQ(canary.watchers()[0].body.from_revision, 1U);
  EXPECT_NE(canary.OnReply(0, Reply(0, 2), 3, &moved_).find("duplicate"), std::string::npos);
}

TEST_F(WatcherPoolTest, StartsAgainWhenNoNodeHoldsTheCursor) {
  ASSERT_EQ(pool_.OnReply(0, Reply(0, 1), 3, &moved_), "");
  wire::WatchReplyBody compacted;
  compacted.status = wire::WatchReplyBody::kCompacted;
  compacted.oldest_revision = 3;
  for (int node = 0; node < 3; ++node) {
    ASSERT_EQ(pool_.OnReply(0, compacted, 3, &moved_), "");
    EXPECT_TRUE(moved_);
  }
  EXPECT_EQ(pool_.restarts(), 1U);
  EXPECT_EQ(pool_.watchers()[0].body.from_revision, 0U);
  EXPECT_EQ(pool_.OnReply(0, Reply(2, 3), 3, &moved_), "");  // anchored again at revision 3
}

TEST_F(WatcherPoolTest, CatchesANodeThatAppliedOtherEvents) {
  sm::KvStore other;
  other.Apply(sm::EncodeKvOp({sm::KvKind::kPut, "k", "z", ""}));
  EXPECT_NE(pool_.NoteApplied(2, other), "");
}

}  // namespace
}  // namespace pifleet::sim
