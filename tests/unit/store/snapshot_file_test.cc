#include "agent/store/snapshot_file.h"

#include <gtest/gtest.h>

#include "agent/store/crc32c.h"
#include "agent/store/fault_env.h"
#include "agent/store/store_constants.h"
#include "tests/unit/store/store_test_util.h"

namespace pifleet::store {
namespace {

using testing::PayloadFor;

constexpr char kSnap[] = "/data/snap";

class SnapshotFileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDir("/data").ok()); }
  FaultEnv env_{5};
};

TEST_F(SnapshotFileTest, WritesAndReadsBackWithSlot) {
  const std::string blob = PayloadFor(1, 5000);
  ASSERT_TRUE(WriteSnapshot(&env_, kSnap, 1234, blob).ok());
  env_.Crash(FaultEnv::CrashMode::kTornTail);
  SnapshotInfo info;
  ASSERT_TRUE(FindLatestSnapshot(&env_, kSnap, &info).ok());
  EXPECT_EQ(info.slot, 1234u);
  EXPECT_EQ(info.path, std::string(kSnap) + "/00000000000000001234.snap");
  std::string back;
  ASSERT_TRUE(ReadSnapshot(&env_, info.path, &info, &back).ok());
  EXPECT_EQ(back, blob);
  EXPECT_EQ(info.blob_bytes, blob.size());
}

TEST_F(SnapshotFileTest, NoSnapshotIsNotFound) {
  SnapshotInfo info;
  EXPECT_EQ(FindLatestSnapshot(&env_, kSnap, &info).code(), Status::Code::kNotFound);
}

TEST_F(SnapshotFileTest, KeepsOnlyTheNewestTwo) {
  for (uint64_t slot : {10, 20, 30, 40}) {
    ASSERT_TRUE(WriteSnapshot(&env_, kSnap, slot, "state at " + std::to_string(slot)).ok());
  }
  std::vector<std::string> names;
  ASSERT_TRUE(env_.GetChildren(kSnap, &names).ok());
  EXPECT_EQ(names, (std::vector<std::string>{SnapshotFileName(30), SnapshotFileName(40)}));
  SnapshotInfo info;
  ASSERT_TRUE(FindLatestSnapshot(&env_, kSnap, &info).ok());
  EXPECT_EQ(info.slot, 40u);
}

TEST_F(SnapshotFileTest, BitFlipsAnywhereAreDetected) {
  const std::string blob = PayloadFor(2, 3000);
  ASSERT_TRUE(WriteSnapshot(&env_, kSnap, 7, blob).ok());
  const std::string path = std::string(kSnap) + "/" + SnapshotFileName(7);
  for (uint64_t offset = 0; offset < kSnapshotHeaderBytes + blob.size(); offset += 13) {
    ASSERT_TRUE(env_.FlipBit(path, offset, static_cast<int>(offset % 8)));
    SnapshotInfo info;
    std::string back;
    EXPECT_EQ(ReadSnapshot(&env_, path, &info, &back).code(), Status::Code::kCorruption) << offset;
    ASSERT_TRUE(env_.FlipBit(path, offset, static_cast<int>(offset % 8)));
  }
}

TEST_F(SnapshotFileTest, ACrashAtEveryStepLeavesTheOldOrTheNewSnapshot) {
  for (int crash_at = 0; crash_at < 10; ++crash_at) {
    FaultEnv disk(static_cast<uint64_t>(crash_at));
    ASSERT_TRUE(disk.CreateDir("/data").ok());
    ASSERT_TRUE(WriteSnapshot(&disk, kSnap, 100, "old state").ok());
    testing::CrashAtEnv env(&disk, crash_at);
    const Status written = WriteSnapshot(&env, kSnap, 200, "new state");
    if (!env.crashed()) disk.Crash(FaultEnv::CrashMode::kTornTail);
    SnapshotInfo info;
    ASSERT_TRUE(FindLatestSnapshot(&disk, kSnap, &info).ok()) << crash_at;
    std::string blob;
    ASSERT_TRUE(ReadSnapshot(&disk, info.path, &info, &blob).ok()) << crash_at;
    if (written.ok()) {
      EXPECT_EQ(info.slot, 200u);
    }
    EXPECT_EQ(blob, info.slot == 200 ? "new state" : "old state");
  }
}

}  // namespace
}  // namespace pifleet::store
