// Lost and foreign WAL segments are refused with the file named (issue 13): each segment starts
// with a synced header naming the node, its number and the record it follows, and wal/head
// names the oldest and newest segments that must be present.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/store/fault_env.h"
#include "agent/store/wal.h"
#include "agent/store/wal_head.h"
#include "tests/unit/store/store_test_util.h"

namespace pifleet::store {
namespace {

using testing::Opened;
using testing::OpenWal;
using testing::PayloadFor;

constexpr char kDir[] = "/data/wal";
constexpr uint64_t kNode = 41;

class WalLossTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.CreateDir("/data").ok());
    options_.segment_bytes = 4 * kLogBlockBytes;
    options_.node_id = kNode;
  }

  // Writes `records` synced records (900 bytes each, so several segments) and closes the WAL.
  void Fill(int records) {
    Opened opened = OpenWal(&env_, kDir, options_);
    ASSERT_TRUE(opened.status.ok()) << opened.status.ToString();
    for (int i = 1; i <= records; ++i) {
      uint64_t lsn = 0;
      ASSERT_TRUE(opened.wal->Append(RecordKind::kAccept, i, PayloadFor(i, 900), &lsn).ok());
    }
    ASSERT_TRUE(opened.wal->Sync().ok());
  }

  std::vector<uint64_t> Segments() {
    std::vector<std::string> names;
    EXPECT_TRUE(env_.GetChildren(kDir, &names).ok());
    std::vector<uint64_t> numbers;
    for (const std::string& name : names) {
      if (name.size() == 24 && name.ends_with(".wal")) numbers.push_back(std::stoull(name));
    }
    return numbers;
  }

  // Opening refuses with Corruption and a message naming `file` and containing `what`.
  void ExpectRefused(const std::string& file, const std::string& what,
                     WalOptions options = WalOptions()) {
    if (options.node_id == 0) options = options_;
    Opened again = OpenWal(&env_, kDir, options);
    EXPECT_EQ(again.status.code(), Status::Code::kCorruption) << again.status.ToString();
    EXPECT_NE(again.status.message().find(file), std::string::npos) << again.status.message();
    EXPECT_NE(again.status.message().find(what), std::string::npos) << again.status.message();
  }

  FaultEnv env_{7};
  WalOptions options_;
};

TEST_F(WalLossTest, AHealthyWalReopensAndCountsEverySegment) {
  Fill(600);
  const std::vector<uint64_t> numbers = Segments();
  ASSERT_GE(numbers.size(), 3u);
  WalHead head;
  ASSERT_TRUE(ReadWalHead(&env_, kDir, &head).ok());
  EXPECT_EQ(head, (WalHead{kNode, numbers.front(), numbers.back()}));
  Opened again = OpenWal(&env_, kDir, options_);
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(again.records.size(), 600u);
}

TEST_F(WalLossTest, AMissingNewestSegmentIsRefused) {
  Fill(600);
  const uint64_t newest = Segments().back();
  ASSERT_TRUE(env_.RemoveFile(WalSegmentPath(kDir, newest)).ok());
  ExpectRefused(WalSegmentPath(kDir, newest), "segment missing");
}

TEST_F(WalLossTest, AMissingOldestSegmentIsRefused) {
  Fill(600);
  const uint64_t oldest = Segments().front();
  ASSERT_TRUE(env_.RemoveFile(WalSegmentPath(kDir, oldest)).ok());
  ExpectRefused(WalSegmentPath(kDir, oldest), "names it as the oldest");
}

TEST_F(WalLossTest, AMissingMiddleSegmentIsRefused) {
  Fill(600);
  const std::vector<uint64_t> numbers = Segments();
  ASSERT_TRUE(env_.RemoveFile(WalSegmentPath(kDir, numbers[1])).ok());
  ExpectRefused(WalSegmentPath(kDir, numbers[1]), "segment missing");
}

TEST_F(WalLossTest, TheOnlySegmentMissingIsRefused) {
  Fill(3);
  ASSERT_EQ(Segments(), std::vector<uint64_t>{1});
  ASSERT_TRUE(env_.RemoveFile(WalSegmentPath(kDir, 1)).ok());
  ExpectRefused(WalSegmentPath(kDir, 1), "no segment left");
}

TEST_F(WalLossTest, AZeroByteNewestSegmentIsRefused) {
  Fill(600);
  const uint64_t newest = Segments().back();
  ASSERT_TRUE(env_.TruncateFile(WalSegmentPath(kDir, newest), 0).ok());
  ExpectRefused(WalSegmentPath(kDir, newest), "segment has no header (0 bytes)");
}

TEST_F(WalLossTest, TheOnlySegmentCutToZeroBytesIsRefused) {
  Fill(3);
  ASSERT_TRUE(env_.TruncateFile(WalSegmentPath(kDir, 1), 0).ok());
  ExpectRefused(WalSegmentPath(kDir, 1), "segment has no header");
}

TEST_F(WalLossTest, AHeaderlessSegmentIsRefused) {
  Fill(600);
  const uint64_t newest = Segments().back();
  // Zeros where the header was (a zero-filled block reads as a torn tail, never as a header).
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile(WalSegmentPath(kDir, newest), &file).ok());
  ASSERT_TRUE(file->Append(std::string(100, '\0')).ok());
  ASSERT_TRUE(file->Sync().ok());
  ExpectRefused(WalSegmentPath(kDir, newest), "segment has no header");
}

TEST_F(WalLossTest, ASegmentOfAnotherNodeIsRefused) {
  Fill(600);
  WalOptions other = options_;
  other.node_id = kNode + 1;
  ExpectRefused(std::string(kDir) + "/head", "written by node 41, this is node 42", other);
  // With a head that names the right node, the segments' own headers still say whose they are.
  ASSERT_TRUE(
      WriteWalHead(&env_, kDir, WalHead{kNode + 1, Segments().front(), Segments().back()}).ok());
  ExpectRefused(WalSegmentPath(kDir, Segments().front()), "segment written by node 41", other);
}

TEST_F(WalLossTest, ASegmentFromAnotherLogIsRefused) {
  // Two WALs of the same node with the same segment numbers: one of the other's segments put in
  // place of ours has the right number and node but follows a different record.
  Fill(600);
  FaultEnv other_env(8);
  ASSERT_TRUE(other_env.CreateDir("/data").ok());
  {
    Opened other = OpenWal(&other_env, kDir, options_);
    ASSERT_TRUE(other.status.ok());
    for (int i = 1; i <= 600; ++i) {
      uint64_t lsn = 0;
      ASSERT_TRUE(other.wal->Append(RecordKind::kAccept, i, PayloadFor(i + 7, 900), &lsn).ok());
    }
    ASSERT_TRUE(other.wal->Sync().ok());
  }
  const std::string path = WalSegmentPath(kDir, Segments()[1]);
  std::string bytes;
  ASSERT_TRUE(ReadFileToString(&other_env, path, &bytes).ok());
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile(path, &file).ok());
  ASSERT_TRUE(file->Append(bytes).ok());
  ASSERT_TRUE(file->Sync().ok());
  ExpectRefused(path, "does not end with the record this one follows");
}

TEST_F(WalLossTest, AMissingHeadWithSeveralSegmentsIsRefused) {
  Fill(600);
  ASSERT_TRUE(env_.RemoveFile(std::string(kDir) + "/head").ok());
  ExpectRefused(std::string(kDir) + "/head", "missing, but segments");
}

// A crash at every file-system step of the first syncs (segment 1 created, head written, a
// rollover to segment 2) recovers: a crash is never mistaken for a lost segment.
TEST_F(WalLossTest, ACrashAtAnyStepOfSegmentCreationIsNotALoss) {
  for (int crash_at = 0; crash_at < 60; ++crash_at) {
    FaultEnv disk(static_cast<uint64_t>(crash_at) + 100);
    ASSERT_TRUE(disk.CreateDir("/data").ok());
    testing::CrashAtEnv env(&disk, crash_at);
    {
      Opened opened = OpenWal(&env, kDir, options_);
      if (opened.status.ok()) {
        for (int i = 1; i <= 200 && !env.crashed(); ++i) {
          uint64_t lsn = 0;
          if (!opened.wal->Append(RecordKind::kAccept, i, PayloadFor(i, 900), &lsn).ok()) break;
          if (i % 20 == 0) (void)opened.wal->Sync();
        }
      }
    }
    if (!env.crashed()) disk.Crash(FaultEnv::CrashMode::kTornTail);
    Opened again = OpenWal(&disk, kDir, options_);
    ASSERT_TRUE(again.status.ok())
        << "crash at step " << crash_at << ": " << again.status.ToString();
  }
}

}  // namespace
}  // namespace pifleet::store
