// The core's records on the store and recovery from snapshot + WAL (agent/store/core_log.h),
// and `pifleet repair`'s plan and its execution on real files (agent/store/repair.h).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>

#include "agent/codec/core_records.h"
#include "agent/core/snapshot.h"
#include "agent/store/core_log.h"
#include "agent/store/fault_env.h"
#include "agent/store/posix_env.h"
#include "agent/store/repair.h"

namespace pifleet::store {
namespace {

constexpr char kDir[] = "/data";

core::Record Promise(uint64_t round) {
  return core::Record(std::in_place_type<core::PromiseRecord>, core::PromiseRecord{{round, 2}});
}
core::Record Accept(core::Slot slot, uint64_t round, size_t payload_bytes = 3) {
  core::Command command;
  command.client_id = 5;
  command.sequence = slot;
  command.payload = std::string(payload_bytes, 'c');
  return core::Record(std::in_place_type<core::AcceptRecord>,
                      core::AcceptRecord{core::PValue{{round, 2}, slot, core::Value{{command}}}});
}
core::Record Decision(core::Slot slot) {
  return core::Record(std::in_place_type<core::DecisionRecord>, core::DecisionRecord{slot, {}, {}});
}
// A decision that names this node's accept at (slot, round) instead of holding the value.
core::Record DecidedAccept(core::Slot slot, uint64_t round) {
  return core::Record(std::in_place_type<core::DecisionRecord>,
                      core::DecisionRecord{slot, {}, {round, 2}});
}

void Append(Wal* wal, const core::Record& record) {
  uint64_t lsn = 0;
  ASSERT_TRUE(AppendCoreRecord(wal, record, &lsn).ok());
}

// Writes slots 1..20 (accept + decision), a snapshot at 10 with its marker, and syncs.
std::string WriteLogWithSnapshot(Env* env, Wal* wal) {
  Append(wal, Promise(3));
  for (core::Slot slot = 1; slot <= 20; ++slot) {
    Append(wal, Accept(slot, 3));
    Append(wal, Decision(slot));
  }
  core::Config config;
  config.voters = {2};
  const std::string blob = core::EncodeSnapshot(core::SnapshotMeta{10, {{1, config}}}, "state");
  EXPECT_TRUE(
      SaveCoreSnapshot(env, kDir, core::SnapshotSave{10, std::make_shared<const std::string>(blob)})
          .ok());
  Append(wal, core::Record(std::in_place_type<core::SnapshotRecord>,
                           core::SnapshotRecord{10, core::SnapshotHash(blob)}));
  EXPECT_TRUE(wal->Sync().ok());
  return blob;
}

TEST(CoreLog, RecoversSnapshotAndTheLogAboveItAfterACrash) {
  FaultEnv env(1);
  CoreRecovery first;
  ASSERT_TRUE(RecoverCore(&env, kDir, {}, &first).ok());
  EXPECT_EQ(first.snapshot, nullptr);
  const std::string blob = WriteLogWithSnapshot(&env, first.wal.get());
  Append(first.wal.get(), Promise(9));  // never synced
  first.wal.reset();
  env.Crash(FaultEnv::CrashMode::kDropUnsynced);
  CoreRecovery again;
  ASSERT_TRUE(RecoverCore(&env, kDir, {}, &again).ok());
  EXPECT_EQ(again.durable.promised, (core::Ballot{3, 2}));
  EXPECT_EQ(again.durable.snapshot_slot, 10u);
  ASSERT_NE(again.snapshot, nullptr);
  EXPECT_EQ(*again.snapshot, blob);
  EXPECT_EQ(again.durable.accepted.size(), 10u) << "slots 11..20 only";
  EXPECT_EQ(again.durable.accepted.begin()->first, 11u);
  EXPECT_EQ(again.durable.decisions.size(), 10u);
  EXPECT_EQ(again.durable.accepted.at(12), std::get<core::AcceptRecord>(Accept(12, 3)).pvalue);
}

TEST(CoreLog, MarkerWithoutItsSnapshotRefusesToStart) {
  FaultEnv env(2);
  CoreRecovery first;
  ASSERT_TRUE(RecoverCore(&env, kDir, {}, &first).ok());
  WriteLogWithSnapshot(&env, first.wal.get());
  first.wal.reset();
  ASSERT_TRUE(env.RemoveFile(JoinPath(SnapDir(kDir), "00000000000000000010.snap")).ok());
  CoreRecovery again;
  const Status status = RecoverCore(&env, kDir, {}, &again);
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find("snapshot marker for slot 10"), std::string::npos);
}

// A data dir of another core record format version (here 1: msgpack bodies with no version
// byte, as builds before the version wrote them) is refused at recovery, naming both versions;
// `pifleet repair` then sets it aside like a damaged one.
TEST(CoreLog, ADataDirOfAnotherRecordVersionIsRefusedNamingBoth) {
  FaultEnv env(5);
  CoreRecovery first;
  ASSERT_TRUE(RecoverCore(&env, kDir, {}, &first).ok());
  Append(first.wal.get(), Promise(3));
  uint64_t lsn = 0;
  ASSERT_TRUE(
      first.wal->Append(RecordKind::kPromise, 0, std::string("\x92\x04\x02", 3), &lsn).ok());
  ASSERT_TRUE(first.wal->Sync().ok());
  first.wal.reset();
  CoreRecovery again;
  const Status status = RecoverCore(&env, kDir, {}, &again);
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find("WAL record " + std::to_string(lsn) + " (promise)"),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("format version 1; this build of pifleet reads version " +
                                  std::to_string(codec::kCoreRecordVersion)),
            std::string::npos)
      << status.message();
  ASSERT_TRUE(WriteNodeMeta(&env, kDir, NodeMeta{11, 22, 3}).ok());
  RepairPlan plan;
  ASSERT_TRUE(PlanRepair(&env, kDir, &plan).ok());
  EXPECT_TRUE(plan.needed);
}

TEST(CoreLog, CompactionLeavesWhatRecoveryNeeds) {
  FaultEnv env(3);
  WalOptions small{4 * 32 * 1024};
  CoreRecovery first;
  ASSERT_TRUE(RecoverCore(&env, kDir, small, &first).ok());
  Append(first.wal.get(), Promise(4));
  for (core::Slot slot = 1; slot <= 2000; ++slot) Append(first.wal.get(), Accept(slot, 4, 200));
  ASSERT_TRUE(first.wal->Sync().ok());
  const std::string blob = core::EncodeSnapshot(core::SnapshotMeta{1990, {{1, {{2}, {}}}}}, "s");
  ASSERT_TRUE(SaveCoreSnapshot(&env, kDir, {1990, std::make_shared<const std::string>(blob)}).ok());
  Append(first.wal.get(), core::Record(std::in_place_type<core::SnapshotRecord>,
                                       core::SnapshotRecord{1990, core::SnapshotHash(blob)}));
  ASSERT_TRUE(first.wal->Sync().ok());
  const uint64_t before = first.wal->stats().segments;
  size_t removed = 0;
  ASSERT_TRUE(first.wal->Compact(1990, &removed).ok());
  EXPECT_GT(removed, 0u);
  EXPECT_LT(first.wal->stats().segments, before);
  first.wal.reset();
  env.Crash(FaultEnv::CrashMode::kTornTail);
  CoreRecovery again;
  ASSERT_TRUE(RecoverCore(&env, kDir, small, &again).ok());
  EXPECT_EQ(again.durable.promised, (core::Ballot{4, 2}));
  EXPECT_EQ(again.durable.snapshot_slot, 1990u);
  EXPECT_EQ(again.durable.accepted.size(), 10u);
}

// A decision that names an accept costs a ballot on disk, and recovery gives back the value.
TEST(CoreLog, ADecisionNamingAnAcceptRecoversItsValue) {
  FaultEnv env(6);
  CoreRecovery first;
  ASSERT_TRUE(RecoverCore(&env, kDir, {}, &first).ok());
  Append(first.wal.get(), Accept(1, 3, 300));
  const uint64_t before = first.wal->stats().bytes;
  Append(first.wal.get(), DecidedAccept(1, 3));
  EXPECT_LT(first.wal->stats().bytes - before, 40u) << "kind, slot and ballot only";
  ASSERT_TRUE(first.wal->Sync().ok());
  first.wal.reset();
  CoreRecovery again;
  ASSERT_TRUE(RecoverCore(&env, kDir, {}, &again).ok());
  ASSERT_EQ(again.durable.decisions.count(1), 1u);
  EXPECT_EQ(again.durable.decisions.at(1),
            std::get<core::AcceptRecord>(Accept(1, 3, 300)).pvalue.value);
}

// One whose accept is not in the log (or is another ballot's) is damage: the node refuses.
TEST(CoreLog, ADecisionNamingAnAcceptTheLogLacksRefusesToStart) {
  FaultEnv env(7);
  CoreRecovery first;
  ASSERT_TRUE(RecoverCore(&env, kDir, {}, &first).ok());
  Append(first.wal.get(), Accept(4, 3));
  Append(first.wal.get(), DecidedAccept(4, 5));
  ASSERT_TRUE(first.wal->Sync().ok());
  first.wal.reset();
  CoreRecovery again;
  const Status status = RecoverCore(&env, kDir, {}, &again);
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find("decision of slot 4 names the value accepted at ballot (5, 2)"),
            std::string::npos)
      << status.message();
}

// Compaction may remove the segment of an accept while a decision naming it stays in a later
// one; the snapshot marker that allowed it comes later still and covers that decision.
TEST(CoreLog, CompactionMayRemoveTheAcceptADecisionNamesBelowTheSnapshot) {
  FaultEnv env(8);
  WalOptions small{4 * 32 * 1024};
  CoreRecovery first;
  ASSERT_TRUE(RecoverCore(&env, kDir, small, &first).ok());
  Append(first.wal.get(), Promise(4));
  for (core::Slot slot = 1; slot <= 2000; ++slot) Append(first.wal.get(), Accept(slot, 4, 200));
  for (core::Slot slot = 1; slot <= 2000; ++slot) Append(first.wal.get(), DecidedAccept(slot, 4));
  const std::string blob = core::EncodeSnapshot(core::SnapshotMeta{1990, {{1, {{2}, {}}}}}, "s");
  ASSERT_TRUE(SaveCoreSnapshot(&env, kDir, {1990, std::make_shared<const std::string>(blob)}).ok());
  Append(first.wal.get(), core::Record(std::in_place_type<core::SnapshotRecord>,
                                       core::SnapshotRecord{1990, core::SnapshotHash(blob)}));
  ASSERT_TRUE(first.wal->Sync().ok());
  size_t removed = 0;
  ASSERT_TRUE(first.wal->Compact(1990, &removed).ok());
  ASSERT_GT(removed, 0u);
  first.wal.reset();
  CoreRecovery again;
  ASSERT_TRUE(RecoverCore(&env, kDir, small, &again).ok());
  EXPECT_EQ(again.durable.snapshot_slot, 1990u);
  ASSERT_EQ(again.durable.decisions.size(), 10u) << "slots 1991..2000";
  EXPECT_EQ(again.durable.decisions.at(2000),
            std::get<core::AcceptRecord>(Accept(2000, 4, 200)).pvalue.value);
}

class RepairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pifleet_repair_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(RepairTest, HealthyDataDirNeedsNothing) {
  Env* env = PosixEnv();
  ASSERT_TRUE(WriteNodeMeta(env, dir_, NodeMeta{11, 22, 3}).ok());
  RepairPlan plan;
  ASSERT_TRUE(PlanRepair(env, dir_, &plan).ok());
  EXPECT_FALSE(plan.needed);
  NodeMeta meta;
  EXPECT_EQ(PerformRepair(env, dir_, plan, 99, &meta).code(), Status::Code::kInvalidArgument);
}

TEST_F(RepairTest, CorruptWalIsSetAsideAndTheNodeGetsANewIdentity) {
  Env* env = PosixEnv();
  ASSERT_TRUE(WriteNodeMeta(env, dir_, NodeMeta{11, 22, 3}).ok());
  ASSERT_TRUE(WriteFileAtomically(env, dir_, "cluster.meta", "voters").ok());
  for (int open = 0; open < 2; ++open) {  // two segments: damage in the older one is fatal
    CoreRecovery recovery;
    WalOptions options;
    options.node_id = 11;  // the WAL is this node's, so only the damage is diagnosed
    ASSERT_TRUE(RecoverCore(env, dir_, options, &recovery).ok());
    Append(recovery.wal.get(), Promise(7 + open));
    ASSERT_TRUE(recovery.wal->Sync().ok());
  }
  const std::string first_segment = JoinPath(WalDir(dir_), "00000000000000000001.wal");
  {
    std::filesystem::resize_file(first_segment, std::filesystem::file_size(first_segment));
    FILE* f = std::fopen(first_segment.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 20, SEEK_SET);
    std::fputc(0x5a, f);
    std::fclose(f);
  }
  RepairPlan plan;
  ASSERT_TRUE(PlanRepair(env, dir_, &plan).ok());
  ASSERT_TRUE(plan.needed);
  EXPECT_NE(plan.diagnosis.find("00000000000000000001.wal"), std::string::npos) << plan.diagnosis;
  EXPECT_EQ(plan.moved, (std::vector<std::string>{"wal", "snap", "cluster.meta"}));
  EXPECT_EQ(PerformRepair(env, dir_, plan, 11, nullptr).code(), Status::Code::kInvalidArgument)
      << "the same id would come back as the old acceptor";
  NodeMeta fresh;
  ASSERT_TRUE(PerformRepair(env, dir_, plan, 77, &fresh).ok());
  NodeMeta now;
  ASSERT_TRUE(ReadNodeMeta(env, dir_, &now).ok());
  EXPECT_EQ(now, (NodeMeta{77, 22, 0}));
  NodeMeta old;
  ASSERT_TRUE(ReadNodeMeta(env, plan.aside_dir, &old).ok());
  EXPECT_EQ(old, (NodeMeta{11, 22, 3}));
  EXPECT_TRUE(env->FileExists(JoinPath(plan.aside_dir, "wal/00000000000000000001.wal")));
  EXPECT_TRUE(env->FileExists(JoinPath(plan.aside_dir, "cluster.meta")));
  EXPECT_FALSE(env->FileExists(JoinPath(dir_, "cluster.meta")));
  RepairPlan after;
  ASSERT_TRUE(PlanRepair(env, dir_, &after).ok());
  EXPECT_FALSE(after.needed) << "a fresh, empty log";
}

}  // namespace
}  // namespace pifleet::store
