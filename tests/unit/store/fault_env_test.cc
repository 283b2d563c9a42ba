#include "agent/store/fault_env.h"

#include <gtest/gtest.h>

namespace pifleet::store {
namespace {

std::string Contents(FaultEnv* env, const std::string& path) {
  std::string out;
  EXPECT_TRUE(ReadFileToString(env, path, &out).ok());
  return out;
}

class FaultEnvTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDir("/d").ok()); }
  // Creates /d/f with `synced` durable and `unsynced` pending, and syncs the directory.
  void Write(const std::string& synced, const std::string& unsynced) {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env_.NewWritableFile("/d/f", &file).ok());
    ASSERT_TRUE(file->Append(synced).ok());
    ASSERT_TRUE(file->Sync().ok());
    ASSERT_TRUE(env_.SyncDir("/d").ok());
    ASSERT_TRUE(file->Append(unsynced).ok());
  }
  FaultEnv env_{42};
};

TEST_F(FaultEnvTest, CrashDropsUnsyncedBytes) {
  Write("durable", "-lost");
  EXPECT_EQ(Contents(&env_, "/d/f"), "durable-lost");
  env_.Crash(FaultEnv::CrashMode::kDropUnsynced);
  EXPECT_EQ(Contents(&env_, "/d/f"), "durable");
}

TEST_F(FaultEnvTest, CrashKeepingLeavesExactPrefixOfUnsyncedBytes) {
  Write("abc", "defgh");
  env_.CrashKeeping("/d/f", 2);
  EXPECT_EQ(Contents(&env_, "/d/f"), "abcde");
}

TEST_F(FaultEnvTest, TornCrashKeepsAPrefixAndIsDeterministicPerSeed) {
  std::string first;
  for (int run = 0; run < 2; ++run) {
    FaultEnv env(7);
    ASSERT_TRUE(env.CreateDir("/d").ok());
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env.NewWritableFile("/d/f", &file).ok());
    ASSERT_TRUE(env.SyncDir("/d").ok());
    ASSERT_TRUE(file->Append(std::string(1000, 'x')).ok());
    env.Crash(FaultEnv::CrashMode::kTornTail);
    const std::string kept = Contents(&env, "/d/f");
    EXPECT_EQ(kept, std::string(kept.size(), 'x'));
    if (run == 0) first = kept;
    EXPECT_EQ(kept, first);
  }
}

TEST_F(FaultEnvTest, NewNamesAreDurableOnlyAfterSyncDir) {
  Write("old", "");
  std::unique_ptr<WritableFile> tmp;
  ASSERT_TRUE(env_.NewWritableFile("/d/f.tmp", &tmp).ok());
  ASSERT_TRUE(tmp->Append("new").ok());
  ASSERT_TRUE(tmp->Sync().ok());
  ASSERT_TRUE(env_.RenameFile("/d/f.tmp", "/d/f").ok());
  EXPECT_EQ(Contents(&env_, "/d/f"), "new");
  env_.Crash(FaultEnv::CrashMode::kDropUnsynced);
  EXPECT_EQ(Contents(&env_, "/d/f"), "old");  // the rename was never made durable
  EXPECT_FALSE(env_.FileExists("/d/f.tmp"));
}

TEST_F(FaultEnvTest, RemovedFileReturnsAfterCrashWithoutSyncDir) {
  Write("data", "");
  ASSERT_TRUE(env_.RemoveFile("/d/f").ok());
  EXPECT_FALSE(env_.FileExists("/d/f"));
  env_.Crash(FaultEnv::CrashMode::kDropUnsynced);
  EXPECT_EQ(Contents(&env_, "/d/f"), "data");
}

TEST_F(FaultEnvTest, HandlesOpenedBeforeACrashFail) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile("/d/f", &file).ok());
  env_.Crash(FaultEnv::CrashMode::kDropUnsynced);
  EXPECT_EQ(file->Append("x").code(), Status::Code::kIOError);
  EXPECT_EQ(file->Sync().code(), Status::Code::kIOError);
}

TEST_F(FaultEnvTest, FlipBitChangesOneBit) {
  Write("AAAA", "");
  ASSERT_TRUE(env_.FlipBit("/d/f", 2, 0));
  EXPECT_EQ(Contents(&env_, "/d/f"), "AA@A");
  EXPECT_FALSE(env_.FlipBit("/d/f", 4, 0));
  EXPECT_FALSE(env_.FlipBit("/d/missing", 0, 0));
}

TEST_F(FaultEnvTest, SpaceLimitFailsAppendWithNoSpaceNamingThePath) {
  env_.SetSpaceLimitBytes(10);
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile("/d/f", &file).ok());
  ASSERT_TRUE(file->Append("12345678").ok());
  const Status s = file->Append("abc");
  EXPECT_EQ(s.code(), Status::Code::kNoSpace);
  EXPECT_NE(s.message().find("/d/f"), std::string::npos);
  uint64_t free_bytes = 0;
  ASSERT_TRUE(env_.GetFreeBytes("/d", &free_bytes).ok());
  EXPECT_EQ(free_bytes, 2u);
  env_.SetSpaceLimitBytes(UINT64_MAX);
  EXPECT_TRUE(file->Append("abc").ok());
}

TEST_F(FaultEnvTest, FailedSyncMakesNothingDurable) {
  Write("a", "b");
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewAppendableFile("/d/f", &file).ok());
  env_.FailNextSyncs(1);
  EXPECT_EQ(file->Sync().code(), Status::Code::kIOError);
  EXPECT_EQ(env_.SyncedBytes("/d/f"), 1u);
  EXPECT_TRUE(file->Sync().ok());
  EXPECT_EQ(env_.SyncedBytes("/d/f"), 2u);
}

TEST_F(FaultEnvTest, SyncLatencyIsCountedInTicks) {
  env_.SetSyncLatencyTicks(3, 3);
  Write("a", "");
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewAppendableFile("/d/f", &file).ok());
  ASSERT_TRUE(file->Sync().ok());
  const FaultEnv::SyncStats stats = env_.sync_stats();
  EXPECT_EQ(stats.file_syncs, 2u);
  EXPECT_EQ(stats.latency_ticks_total, 6u);
  EXPECT_EQ(stats.last_latency_ticks, 3u);
  EXPECT_EQ(stats.dir_syncs, 1u);
}

// The agent refuses a key file others can read (agent/daemon/key_rotation.cc); the in-memory
// disk answers the mode query as PosixEnv makes files and directories: owner-only.
TEST_F(FaultEnvTest, FileModeIsOwnerOnlyAndNamesTheType) {
  Write("key", "");
  uint32_t mode = 0;
  ASSERT_TRUE(env_.GetFileMode("/d/f", &mode).ok());
  EXPECT_EQ(mode & kModeTypeMask, kModeRegular);
  EXPECT_EQ(mode & kModePermissions, 0600u);
  ASSERT_TRUE(env_.GetFileMode("/d", &mode).ok());
  EXPECT_EQ(mode & kModeTypeMask, kModeDirectory);
  EXPECT_EQ(env_.GetFileMode("/d/missing", &mode).code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace pifleet::store
