// What PosixEnv creates is the agent's alone: snapshots hold the cluster keyring and WAL
// records hold `key install` commands, so files are 0600 and directories 0700, including ones
// an older build left with looser modes.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "agent/core/ready.h"
#include "agent/store/core_log.h"
#include "agent/store/crc32c.h"
#include "agent/store/posix_env.h"
#include "agent/store/snapshot_file.h"

namespace pifleet::store {
namespace {

class PosixModes : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pifleet-modes-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    data_dir_ = root_ + "/data";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  std::string root_;
  std::string data_dir_;
};

TEST_F(PosixModes, ANewDataDirAndItsSnapshotsAndWalArePrivate) {
  CoreRecovery recovery;
  ASSERT_TRUE(RecoverCore(PosixEnv(), data_dir_, {}, &recovery).ok());
  EXPECT_EQ(ModeOf(data_dir_), 0700u);
  EXPECT_EQ(ModeOf(data_dir_ + "/snap"), 0700u);
  EXPECT_EQ(ModeOf(data_dir_ + "/wal"), 0700u);
  uint64_t lsn = 0;
  const core::Record decision(std::in_place_type<core::DecisionRecord>,
                              core::DecisionRecord{1, {}, {}});
  ASSERT_TRUE(AppendCoreRecord(recovery.wal.get(), decision, &lsn).ok());
  ASSERT_TRUE(recovery.wal->Sync().ok());  // segments are written by the sync
  size_t segments = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir_ + "/wal")) {
    ++segments;
    EXPECT_EQ(ModeOf(entry.path()), 0600u) << entry.path();
  }
  EXPECT_GE(segments, 1u);
  core::SnapshotSave save{10, std::make_shared<const std::string>("state with keys")};
  ASSERT_TRUE(SaveCoreSnapshot(PosixEnv(), data_dir_, save).ok());
  EXPECT_EQ(ModeOf(data_dir_ + "/snap/" + SnapshotFileName(10)), 0600u);
}

TEST_F(PosixModes, LooserModesAnOlderBuildLeftAreTightened) {
  const std::string snap_dir = data_dir_ + "/snap";
  ASSERT_EQ(::mkdir(data_dir_.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(snap_dir.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(snap_dir.c_str(), 0755), 0);  // whatever the umask
  const std::string stale_tmp = snap_dir + "/" + SnapshotFileName(7) + ".tmp";
  std::ofstream(stale_tmp) << "half a snapshot";
  ASSERT_EQ(::chmod(stale_tmp.c_str(), 0644), 0);
  ASSERT_TRUE(WriteSnapshot(PosixEnv(), snap_dir, 7, "blob").ok());
  EXPECT_EQ(ModeOf(snap_dir), 0700u);
  EXPECT_EQ(ModeOf(snap_dir + "/" + SnapshotFileName(7)), 0600u);
}

// Env::GetFileMode is how the agent sees a key file others can read, through the seam.
TEST_F(PosixModes, GetFileModeReportsPermissionsAndType) {
  const std::string key = root_ + "/cluster.key";
  std::ofstream(key) << "key";
  ASSERT_EQ(::chmod(key.c_str(), 0640), 0);
  uint32_t mode = 0;
  ASSERT_TRUE(PosixEnv()->GetFileMode(key, &mode).ok());
  EXPECT_EQ(mode & kModePermissions, 0640u);
  EXPECT_EQ(mode & kModeTypeMask, kModeRegular);
  ASSERT_TRUE(PosixEnv()->GetFileMode(root_, &mode).ok());
  EXPECT_EQ(mode & kModeTypeMask, kModeDirectory);
  EXPECT_EQ(PosixEnv()->GetFileMode(root_ + "/missing", &mode).code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace pifleet::store
