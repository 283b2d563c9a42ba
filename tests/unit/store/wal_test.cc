// The WAL's normal life: append, group commit, reopen, rollover, compaction, a full disk.
#include "agent/store/wal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "agent/store/fault_env.h"
#include "agent/store/log_writer.h"
#include "agent/store/wal_head.h"
#include "agent/store/wal_record.h"
#include "tests/unit/store/store_test_util.h"

namespace pifleet::store {
namespace {

using testing::Opened;
using testing::OpenWal;
using testing::PayloadFor;

constexpr char kDir[] = "/data/wal";

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDir("/data").ok()); }

  Opened Open(WalOptions options = WalOptions()) {
    Opened opened = OpenWal(&env_, kDir, options);
    EXPECT_TRUE(opened.status.ok()) << opened.status.ToString();
    return opened;
  }

  uint64_t Append(Wal* wal, RecordKind kind, uint64_t slot, const std::string& payload) {
    uint64_t lsn = 0;
    EXPECT_TRUE(wal->Append(kind, slot, payload, &lsn).ok());
    return lsn;
  }

  FaultEnv env_{1};
};

TEST_F(WalTest, RecordsSurviveReopenWithKindSlotAndLsn) {
  Opened opened = Open();
  EXPECT_EQ(Append(opened.wal.get(), RecordKind::kPromise, 0, "ballot 3.1"), 1u);
  EXPECT_EQ(Append(opened.wal.get(), RecordKind::kAccept, 7, PayloadFor(7, 100)), 2u);
  EXPECT_EQ(Append(opened.wal.get(), RecordKind::kDecision, 7, ""), 3u);
  EXPECT_EQ(opened.wal->synced_lsn(), 0u);
  ASSERT_TRUE(opened.wal->Sync().ok());
  EXPECT_EQ(opened.wal->synced_lsn(), 3u);
  opened.wal.reset();
  env_.Crash(FaultEnv::CrashMode::kDropUnsynced);

  Opened again = Open();
  ASSERT_EQ(again.records.size(), 3u);
  EXPECT_EQ(again.records[0].kind, RecordKind::kPromise);
  EXPECT_EQ(again.records[0].payload, "ballot 3.1");
  EXPECT_EQ(again.records[1].kind, RecordKind::kAccept);
  EXPECT_EQ(again.records[1].slot, 7u);
  EXPECT_EQ(again.records[1].payload, PayloadFor(7, 100));
  EXPECT_EQ(again.records[2].lsn, 3u);
  EXPECT_FALSE(again.report.torn_tail);
  EXPECT_EQ(again.report.last_lsn, 3u);
  // Writing resumes after the recovered records; the promise is carried into the new segment.
  EXPECT_EQ(Append(again.wal.get(), RecordKind::kAccept, 8, "x"), 5u);
}

// A segment as a build of format version 2 wrote it (before decided accepts) is still read; a
// version this build does not know is refused.
TEST_F(WalTest, ReadsSegmentsOfFormatVersion2AndRefusesNewerOnes) {
  for (const uint32_t version : {kWalFormatVersionOldest, kWalFormatVersion + 1}) {
    const std::string dir = "/data/v" + std::to_string(version);
    ASSERT_TRUE(env_.CreateDir(dir).ok());
    std::string bytes;
    log::Writer writer;
    writer.AddRecord(EncodeRecordBody(RecordKind::kSegmentHeader, 1,
                                      EncodeSegmentHeader(SegmentHeader{version, 0, 1, 0})),
                     &bytes);
    writer.AddRecord(EncodeRecordBody(RecordKind::kAccept, 7, PayloadFor(7, 100)), &bytes);
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env_.NewWritableFile(WalSegmentPath(dir, 1), &file).ok());
    ASSERT_TRUE(file->Append(bytes).ok());
    ASSERT_TRUE(file->Sync().ok());
    ASSERT_TRUE(env_.SyncDir(dir).ok());
    ASSERT_TRUE(WriteWalHead(&env_, dir, WalHead{0, 1, 1}).ok());
    Opened opened = OpenWal(&env_, dir, WalOptions());
    if (version == kWalFormatVersionOldest) {
      ASSERT_TRUE(opened.status.ok()) << opened.status.ToString();
      ASSERT_EQ(opened.records.size(), 1u);
      EXPECT_EQ(opened.records[0].payload, PayloadFor(7, 100));
    } else {
      EXPECT_EQ(opened.status.code(), Status::Code::kCorruption);
      EXPECT_NE(opened.status.message().find("unknown wal format version 4"), std::string::npos)
          << opened.status.message();
    }
  }
}

TEST_F(WalTest, UnsyncedRecordsAreLostOnCrashButNothingElse) {
  Opened opened = Open();
  Append(opened.wal.get(), RecordKind::kAccept, 1, "kept");
  ASSERT_TRUE(opened.wal->Sync().ok());
  Append(opened.wal.get(), RecordKind::kAccept, 2, "never synced");
  env_.Crash(FaultEnv::CrashMode::kTornTail);
  Opened again = Open();
  ASSERT_EQ(again.records.size(), 1u);
  EXPECT_EQ(again.records[0].payload, "kept");
}

TEST_F(WalTest, GroupCommitIsOneFdatasyncForEverythingQueued) {
  Opened opened = Open();
  ASSERT_TRUE(opened.wal->Sync().ok());  // creates the segment
  for (int batch : {1, 16, 64}) {
    const uint64_t before = env_.sync_stats().file_syncs;
    for (int i = 0; i < batch; ++i) Append(opened.wal.get(), RecordKind::kAccept, i, "v");
    ASSERT_TRUE(opened.wal->Sync().ok());
    EXPECT_EQ(env_.sync_stats().file_syncs - before, 1u) << batch;
    EXPECT_EQ(env_.sync_stats().file_syncs, opened.wal->stats().syncs);
  }
  const uint64_t before = env_.sync_stats().file_syncs;
  ASSERT_TRUE(opened.wal->Sync().ok());  // nothing queued, nothing to sync
  EXPECT_EQ(env_.sync_stats().file_syncs, before);
}

TEST_F(WalTest, SyncFromAWorkerThreadWhileTheLoopAppends) {
  Opened opened = Open();
  Wal* wal = opened.wal.get();
  std::atomic<bool> done{false};
  std::thread worker([&] {
    // Like the daemon's worker, which waits for work between syncs.
    while (!done.load()) {
      ASSERT_TRUE(wal->Sync().ok());
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  });
  constexpr int kRecords = 2000;
  for (int i = 1; i <= kRecords; ++i) Append(wal, RecordKind::kAccept, i, PayloadFor(i, i % 300));
  done.store(true);
  worker.join();
  ASSERT_TRUE(wal->Sync().ok());
  EXPECT_EQ(wal->synced_lsn(), static_cast<uint64_t>(kRecords));
  opened.wal.reset();
  env_.Crash(FaultEnv::CrashMode::kDropUnsynced);
  Opened again = Open();
  ASSERT_EQ(again.records.size(), static_cast<size_t>(kRecords));
  for (int i = 1; i <= kRecords; ++i) {
    ASSERT_EQ(again.records[i - 1].payload, PayloadFor(i, i % 300));
  }
}

TEST_F(WalTest, RollsOverAtTheSegmentSizeAndReadsAcrossSegments) {
  WalOptions options;
  options.segment_bytes = 4 * kLogBlockBytes;
  Opened opened = Open(options);
  for (int i = 1; i <= 600; ++i)
    Append(opened.wal.get(), RecordKind::kAccept, i, PayloadFor(i, 900));
  ASSERT_TRUE(opened.wal->Sync().ok());
  EXPECT_GE(opened.wal->stats().segments, 4u);
  std::vector<std::string> names;
  ASSERT_TRUE(env_.GetChildren(kDir, &names).ok());
  std::erase(names, std::string(kWalHeadFileName));
  EXPECT_EQ(names.size(), opened.wal->stats().segments);
  for (const std::string& name : names) {
    uint64_t bytes = 0;
    ASSERT_TRUE(env_.GetFileSize(std::string(kDir) + "/" + name, &bytes).ok());
    EXPECT_LE(bytes, options.segment_bytes) << name;
  }
  opened.wal.reset();
  Opened again = Open(options);
  ASSERT_EQ(again.records.size(), 600u);
  for (int i = 1; i <= 600; ++i) ASSERT_EQ(again.records[i - 1].payload, PayloadFor(i, 900));
}

TEST_F(WalTest, CompactionDropsOldSegmentsAndKeepsTheNewestPromise) {
  WalOptions options;
  options.segment_bytes = 4 * kLogBlockBytes;
  Opened opened = Open(options);
  Wal* wal = opened.wal.get();
  Append(wal, RecordKind::kPromise, 0, "promise 9.2");
  for (uint64_t slot = 1; slot <= 1000; ++slot) {
    Append(wal, RecordKind::kAccept, slot, PayloadFor(slot, 500));
  }
  ASSERT_TRUE(wal->Sync().ok());
  size_t removed = 0;
  EXPECT_EQ(wal->Compact(800, &removed).code(), Status::Code::kInvalidArgument);  // no marker
  Append(wal, RecordKind::kSnapshotMarker, 800, "snapshot@800");
  EXPECT_EQ(wal->Compact(800, &removed).code(), Status::Code::kInvalidArgument);  // not durable
  ASSERT_TRUE(wal->Sync().ok());
  const uint64_t segments_before = wal->stats().segments;
  ASSERT_TRUE(wal->Compact(800, &removed).ok());
  EXPECT_GT(removed, 0u);
  EXPECT_EQ(wal->stats().segments, segments_before - removed);
  opened.wal.reset();
  env_.Crash(FaultEnv::CrashMode::kDropUnsynced);

  Opened again = Open(options);
  std::string promise;
  bool marker = false;
  std::vector<bool> accepted(1001, false);
  for (const WalRecord& record : again.records) {
    if (record.kind == RecordKind::kPromise) promise = record.payload;
    if (record.kind == RecordKind::kSnapshotMarker) marker = record.payload == "snapshot@800";
    if (record.kind == RecordKind::kAccept) {
      ASSERT_EQ(record.payload, PayloadFor(record.slot, 500));
      accepted[record.slot] = true;
    }
  }
  EXPECT_EQ(promise, "promise 9.2");
  EXPECT_TRUE(marker);
  for (uint64_t slot = 800; slot <= 1000; ++slot) EXPECT_TRUE(accepted[slot]) << slot;
  EXPECT_FALSE(accepted[1]);  // compacted away
  EXPECT_LT(again.records.size(), 600u);
}

TEST_F(WalTest, CompactionWaitsUntilTheNextSegmentsCopiesAreDurable) {
  WalOptions options;
  options.segment_bytes = 4 * kLogBlockBytes;
  Opened opened = Open(options);
  Wal* wal = opened.wal.get();
  Append(wal, RecordKind::kPromise, 0, "promise 4.1");
  Append(wal, RecordKind::kSnapshotMarker, 1000, "snapshot@1000");
  uint64_t slot = 1;
  while (wal->stats().segments == 1) {
    Append(wal, RecordKind::kDecision, slot, PayloadFor(slot, 500));
    ++slot;
    if (wal->stats().segments == 1) {
      ASSERT_TRUE(wal->Sync().ok());
    }
  }
  // Segment 1 is durable; segment 2 (its header and copies) is not yet.
  size_t removed = 0;
  ASSERT_TRUE(wal->Compact(1000, &removed).ok());
  EXPECT_EQ(removed, 0u);
  opened.wal.reset();
  env_.Crash(FaultEnv::CrashMode::kDropUnsynced);
  Opened again = Open(options);
  ASSERT_FALSE(again.records.empty());
  EXPECT_EQ(again.records.front().payload, "promise 4.1");
  ASSERT_TRUE(again.wal->Sync().ok());  // segment 2 again, now durable with its copies
  ASSERT_TRUE(again.wal->Compact(1000, &removed).ok());
  EXPECT_EQ(removed, 1u);
}

// Steady load with a snapshot every kEvery slots: the WAL never holds more than the records of
// the last two snapshot intervals, rounded up to whole segments, plus the segment being written.
TEST_F(WalTest, StaysBoundedUnderSteadyLoadWithPeriodicSnapshots) {
  WalOptions options;
  options.segment_bytes = 4 * kLogBlockBytes;
  Opened opened = Open(options);
  Wal* wal = opened.wal.get();
  constexpr uint64_t kSlots = 40000;
  constexpr uint64_t kEvery = 1000;
  constexpr size_t kPayloadBytes = 100;
  Append(wal, RecordKind::kPromise, 0, "promise 1.1");
  uint64_t bytes_max = 0;
  for (uint64_t slot = 1; slot <= kSlots; ++slot) {
    Append(wal, RecordKind::kAccept, slot, PayloadFor(slot, kPayloadBytes));
    Append(wal, RecordKind::kDecision, slot, PayloadFor(slot, kPayloadBytes));
    if (slot % 16 == 0) {
      ASSERT_TRUE(wal->Sync().ok());
    }
    if (slot % kEvery == 0) {
      Append(wal, RecordKind::kSnapshotMarker, slot, "snapshot");
      ASSERT_TRUE(wal->Sync().ok());
      size_t removed = 0;
      ASSERT_TRUE(wal->Compact(slot, &removed).ok());
    }
    bytes_max = std::max(bytes_max, wal->stats().bytes);
  }
  const uint64_t interval_bytes =
      2 * kEvery * LogEncodedBytesMax(kWalRecordPrefixBytes + kPayloadBytes);
  const uint64_t bound_segments = interval_bytes * 2 / options.segment_bytes + 2;
  EXPECT_LE(bytes_max, bound_segments * options.segment_bytes);
  EXPECT_LE(env_.used_bytes(), bound_segments * options.segment_bytes);
  EXPECT_GT(wal->stats().appended_records, 2 * kSlots);  // the load really ran
  std::printf("steady load: %llu slots, wal peak %llu bytes (bound %llu)\n",
              static_cast<unsigned long long>(kSlots), static_cast<unsigned long long>(bytes_max),
              static_cast<unsigned long long>(bound_segments * options.segment_bytes));
}

TEST_F(WalTest, CompactionKeepsSegmentsWithSlotsAtOrAboveTheSnapshot) {
  WalOptions options;
  options.segment_bytes = 4 * kLogBlockBytes;
  Opened opened = Open(options);
  Wal* wal = opened.wal.get();
  Append(wal, RecordKind::kAccept, 5000, "accepted long ago for a high slot");
  for (uint64_t slot = 1; slot <= 800; ++slot)
    Append(wal, RecordKind::kDecision, slot, PayloadFor(slot, 500));
  Append(wal, RecordKind::kSnapshotMarker, 700, "s");
  ASSERT_TRUE(wal->Sync().ok());
  size_t removed = 0;
  ASSERT_TRUE(wal->Compact(700, &removed).ok());
  EXPECT_EQ(removed, 0u);  // the first segment still holds slot 5000
}

TEST_F(WalTest, DiskFullKeepsRecordsQueuedAndResumesWhenSpaceReturns) {
  Opened opened = Open();
  Wal* wal = opened.wal.get();
  for (int i = 1; i <= 10; ++i) Append(wal, RecordKind::kAccept, i, PayloadFor(i, 200));
  ASSERT_TRUE(wal->Sync().ok());
  env_.SetSpaceLimitBytes(env_.used_bytes() + 500);
  for (int i = 11; i <= 20; ++i) Append(wal, RecordKind::kAccept, i, PayloadFor(i, 200));
  const Status full = wal->Sync();
  EXPECT_EQ(full.code(), Status::Code::kNoSpace);
  EXPECT_NE(full.message().find(kDir), std::string::npos) << full.message();
  EXPECT_TRUE(wal->no_space());
  EXPECT_EQ(wal->synced_lsn(), 10u);
  EXPECT_EQ(wal->Sync().code(), Status::Code::kNoSpace);  // a retry while still full
  for (int i = 21; i <= 25; ++i) Append(wal, RecordKind::kAccept, i, PayloadFor(i, 200));
  env_.SetSpaceLimitBytes(UINT64_MAX);
  ASSERT_TRUE(wal->Sync().ok());
  EXPECT_FALSE(wal->no_space());
  EXPECT_EQ(wal->synced_lsn(), 25u);
  opened.wal.reset();
  env_.Crash(FaultEnv::CrashMode::kDropUnsynced);
  Opened again = Open();
  ASSERT_EQ(again.records.size(), 25u);
  for (int i = 1; i <= 25; ++i) ASSERT_EQ(again.records[i - 1].payload, PayloadFor(i, 200));
}

TEST_F(WalTest, QueueWaitingForSyncIsBounded) {
  Opened opened = Open();
  env_.SetSpaceLimitBytes(0);
  const std::string payload(kWalPayloadBytesMax, 'q');
  Status s;
  int appended = 0;
  uint64_t lsn = 0;
  while ((s = opened.wal->Append(RecordKind::kAccept, appended, payload, &lsn)).ok()) ++appended;
  EXPECT_EQ(s.code(), Status::Code::kNoSpace);
  EXPECT_NE(s.message().find("wait for a sync"), std::string::npos);
  EXPECT_GE(static_cast<uint64_t>(appended) * kWalPayloadBytesMax, kWalPendingBytesMax * 9 / 10);
  EXPECT_LE(static_cast<uint64_t>(appended) * kWalPayloadBytesMax, kWalPendingBytesMax);
  EXPECT_EQ(opened.wal->Sync().code(), Status::Code::kNoSpace);
  env_.SetSpaceLimitBytes(UINT64_MAX);
  ASSERT_TRUE(opened.wal->Sync().ok());
  EXPECT_TRUE(opened.wal->Append(RecordKind::kAccept, 0, payload, &lsn).ok());  // room again
}

TEST_F(WalTest, FailedFdatasyncIsRetriedFromMemory) {
  Opened opened = Open();
  Wal* wal = opened.wal.get();
  Append(wal, RecordKind::kAccept, 1, "one");
  ASSERT_TRUE(wal->Sync().ok());
  Append(wal, RecordKind::kAccept, 2, "two");
  env_.FailNextSyncs(1);
  EXPECT_EQ(wal->Sync().code(), Status::Code::kIOError);
  EXPECT_EQ(wal->synced_lsn(), 1u);
  Append(wal, RecordKind::kAccept, 3, "three");
  ASSERT_TRUE(wal->Sync().ok());  // cuts the unsynced bytes and writes them again
  EXPECT_EQ(wal->synced_lsn(), 3u);
  opened.wal.reset();
  env_.Crash(FaultEnv::CrashMode::kDropUnsynced);
  Opened again = Open();
  ASSERT_EQ(again.records.size(), 3u);
  EXPECT_EQ(again.records[1].payload, "two");
  EXPECT_EQ(again.records[2].payload, "three");
}

TEST_F(WalTest, RejectsOversizedPayloads) {
  Opened opened = Open();
  uint64_t lsn = 0;
  EXPECT_EQ(
      opened.wal->Append(RecordKind::kAccept, 1, std::string(kWalPayloadBytesMax + 1, 'x'), &lsn)
          .code(),
      Status::Code::kInvalidArgument);
}

TEST_F(WalTest, AMissingMiddleSegmentRefusesToStart) {
  WalOptions options;
  options.segment_bytes = 4 * kLogBlockBytes;
  Opened opened = Open(options);
  for (int i = 1; i <= 600; ++i)
    Append(opened.wal.get(), RecordKind::kAccept, i, PayloadFor(i, 900));
  ASSERT_TRUE(opened.wal->Sync().ok());
  opened.wal.reset();
  ASSERT_TRUE(env_.RemoveFile(std::string(kDir) + "/00000000000000000002.wal").ok());
  Opened again = OpenWal(&env_, kDir, options);
  EXPECT_EQ(again.status.code(), Status::Code::kCorruption);
  EXPECT_NE(again.status.message().find("00000000000000000002.wal: segment missing"),
            std::string::npos)
      << again.status.message();
}

}  // namespace
}  // namespace pifleet::store
