// Crash and damage at the WAL level: recovery returns exactly the synced records (plus any
// later ones that happened to reach the disk whole), or refuses naming file and offset — never
// a silent loss.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "agent/base/bytes.h"
#include "agent/store/fault_env.h"
#include "agent/store/log_format.h"
#include "agent/store/wal.h"
#include "tests/unit/store/store_test_util.h"

namespace pifleet::store {
namespace {

using testing::Opened;
using testing::OpenWal;
using testing::PayloadFor;

constexpr char kDir[] = "/data/wal";
constexpr char kFirstSegment[] = "/data/wal/00000000000000000001.wal";

// Sizes that put records across block boundaries and one record over several blocks.
size_t SizeFor(uint64_t i) { return i % 7 == 3 ? 9000 : (i * 37) % 700; }

struct Layout {
  std::vector<uint64_t> ends;  // segment file offset just past each appended record
};

// Appends records first..last to a fresh WAL and returns where each one ends in the segment.
Layout AppendRecords(Wal* wal, uint64_t first, uint64_t last) {
  Layout layout;
  for (uint64_t i = first; i <= last; ++i) {
    uint64_t lsn = 0;
    EXPECT_TRUE(wal->Append(RecordKind::kAccept, i, PayloadFor(i, SizeFor(i)), &lsn).ok());
    EXPECT_EQ(lsn, i);
    layout.ends.push_back(wal->stats().bytes);
  }
  return layout;
}

void ExpectRecords(const Opened& opened, uint64_t count) {
  ASSERT_TRUE(opened.status.ok()) << opened.status.ToString();
  ASSERT_EQ(opened.records.size(), count);
  for (uint64_t i = 1; i <= count; ++i) {
    ASSERT_EQ(opened.records[i - 1].lsn, i);
    ASSERT_EQ(opened.records[i - 1].payload, PayloadFor(i, SizeFor(i)));
  }
}

// Builds: kSynced records durable, then kUnsynced more written to the file but never synced
// (the fdatasync failed), then a crash that keeps `keep` of the unsynced bytes.
class WalTornWriteTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kSynced = 20;
  static constexpr uint64_t kUnsynced = 12;

  // Returns the segment offset where each unsynced record ends and the synced length.
  void Build(FaultEnv* env, std::vector<uint64_t>* ends, uint64_t* synced_bytes) {
    ASSERT_TRUE(env->CreateDir("/data").ok());
    Opened opened = OpenWal(env, kDir);
    ASSERT_TRUE(opened.status.ok());
    AppendRecords(opened.wal.get(), 1, kSynced);
    ASSERT_TRUE(opened.wal->Sync().ok());
    *synced_bytes = env->SyncedBytes(kFirstSegment);
    *ends = AppendRecords(opened.wal.get(), kSynced + 1, kSynced + kUnsynced).ends;
    env->FailNextSyncs(1);
    ASSERT_EQ(opened.wal->Sync().code(), Status::Code::kIOError);
  }

  void CheckCut(uint64_t keep) {
    FaultEnv env(keep);
    std::vector<uint64_t> ends;
    uint64_t synced_bytes = 0;
    Build(&env, &ends, &synced_bytes);
    env.CrashKeeping(kFirstSegment, keep);
    const uint64_t cut = std::min(synced_bytes + keep, ends.back());  // a crash keeps at most all
    const uint64_t complete = std::upper_bound(ends.begin(), ends.end(), cut) - ends.begin();
    Opened opened = OpenWal(&env, kDir);
    ExpectRecords(opened, kSynced + complete);
    const uint64_t valid = complete == 0 ? synced_bytes : ends[complete - 1];
    EXPECT_EQ(opened.report.torn_tail, cut > valid)
        << "keep " << keep << " cut " << cut << " valid " << valid << ": "
        << opened.report.ToString();
    if (opened.report.torn_tail) {
      EXPECT_EQ(opened.report.torn_offset, valid);
      EXPECT_EQ(opened.report.torn_bytes_dropped, cut - valid);
    }
    // After the cut the log is clean: more records, another crash, everything still there.
    uint64_t lsn = 0;
    ASSERT_TRUE(opened.wal->Append(RecordKind::kDecision, 99, "after", &lsn).ok());
    ASSERT_TRUE(opened.wal->Sync().ok());
    opened.wal.reset();
    env.Crash(FaultEnv::CrashMode::kTornTail);
    Opened again = OpenWal(&env, kDir);
    ASSERT_TRUE(again.status.ok()) << again.status.ToString();
    ASSERT_EQ(again.records.size(), kSynced + complete + 1);
    EXPECT_EQ(again.records.back().payload, "after");
    EXPECT_FALSE(again.report.torn_tail);
  }
};

TEST_F(WalTornWriteTest, AtEveryRecordBoundary) {
  FaultEnv env(0);
  std::vector<uint64_t> ends;
  uint64_t synced_bytes = 0;
  Build(&env, &ends, &synced_bytes);
  CheckCut(0);
  for (uint64_t end : ends) {
    for (uint64_t keep : {end - synced_bytes - 1, end - synced_bytes, end - synced_bytes + 1}) {
      CheckCut(keep);
    }
  }
}

TEST_F(WalTornWriteTest, AtEveryByteOfTheFinalRecord) {
  FaultEnv env(0);
  std::vector<uint64_t> ends;
  uint64_t synced_bytes = 0;
  Build(&env, &ends, &synced_bytes);
  const uint64_t final_start = ends[ends.size() - 2] - synced_bytes;
  const uint64_t final_end = ends.back() - synced_bytes;
  for (uint64_t keep = final_start; keep <= final_end; ++keep) CheckCut(keep);
}

TEST_F(WalTornWriteTest, AtSampledBytesOfEveryUnsyncedRecord) {
  FaultEnv env(0);
  std::vector<uint64_t> ends;
  uint64_t synced_bytes = 0;
  Build(&env, &ends, &synced_bytes);
  for (uint64_t keep = 0; keep <= ends.back() - synced_bytes; keep += 61) CheckCut(keep);
}

// (offset, length) of every physical record in a log file.
std::vector<std::pair<uint64_t, size_t>> PhysicalRecords(const std::string& bytes) {
  std::vector<std::pair<uint64_t, size_t>> out;
  size_t pos = 0;
  while (pos + log::kHeaderBytes <= bytes.size()) {
    const size_t block_left = log::kBlockBytes - pos % log::kBlockBytes;
    if (block_left < log::kHeaderBytes) {
      pos += block_left;
      continue;
    }
    const size_t length = DecodeFixed16(bytes.data() + pos + 4);
    out.emplace_back(pos, log::kHeaderBytes + length);
    pos += log::kHeaderBytes + length;
  }
  return out;
}

TEST(WalBitFlip, InEveryRecordRefusesToStartNamingFileAndOffset) {
  FaultEnv env(3);
  ASSERT_TRUE(env.CreateDir("/data").ok());
  {
    Opened opened = OpenWal(&env, kDir);
    ASSERT_TRUE(opened.status.ok());
    AppendRecords(opened.wal.get(), 1, 40);
    ASSERT_TRUE(opened.wal->Sync().ok());
  }
  std::string bytes;
  ASSERT_TRUE(ReadFileToString(&env, kFirstSegment, &bytes).ok());
  const auto physical = PhysicalRecords(bytes);
  ASSERT_GT(physical.size(), 41u);  // header record + 40, some fragmented
  int flips = 0;
  for (const auto& [offset, length] : physical) {
    for (uint64_t position : {uint64_t{0}, uint64_t{4}, uint64_t{5}, uint64_t{6}, uint64_t{7},
                              uint64_t{length / 2}, uint64_t{length - 1}}) {
      if (position >= length) continue;
      const int bit = static_cast<int>((offset + position) % 8);
      ASSERT_TRUE(env.FlipBit(kFirstSegment, offset + position, bit));
      Opened opened = OpenWal(&env, kDir);
      ++flips;
      EXPECT_EQ(opened.status.code(), Status::Code::kCorruption)
          << "flip at " << offset + position << " bit " << bit << " was not refused";
      EXPECT_NE(opened.status.message().find(std::string(kFirstSegment) + " offset " +
                                             std::to_string(offset)),
                std::string::npos)
          << opened.status.message();
      ASSERT_TRUE(env.FlipBit(kFirstSegment, offset + position, bit));  // undo
    }
  }
  EXPECT_GT(flips, 200);
  ExpectRecords(OpenWal(&env, kDir), 40);  // undone flips: all records back
}

TEST(WalBitFlip, InAnOlderSegmentRefusesToStart) {
  FaultEnv env(4);
  ASSERT_TRUE(env.CreateDir("/data").ok());
  WalOptions options;
  options.segment_bytes = 4 * kLogBlockBytes;
  {
    Opened opened = OpenWal(&env, kDir, options);
    AppendRecords(opened.wal.get(), 1, 200);
    ASSERT_TRUE(opened.wal->Sync().ok());
    ASSERT_GT(opened.wal->stats().segments, 2u);
  }
  ASSERT_TRUE(env.FlipBit(kFirstSegment, 3 * kLogBlockBytes + 100, 2));
  const Opened opened = OpenWal(&env, kDir, options);
  EXPECT_EQ(opened.status.code(), Status::Code::kCorruption);
  EXPECT_NE(opened.status.message().find(kFirstSegment), std::string::npos);
}

// Random appends, syncs, failed syncs, rollovers, compactions and torn crashes over several
// lives of one WAL. Recovery always returns a prefix of what was appended; that prefix holds
// every synced record that compaction may not drop, byte for byte, and its newest promise.
class RandomCrashRun {
 public:
  explicit RandomCrashRun(uint64_t seed) : seed_(seed), env_(seed), rng_(seed) {
    options_.segment_bytes = 4 * kLogBlockBytes;
    EXPECT_TRUE(env_.CreateDir("/data").ok());
  }

  void Live() {
    Opened opened = OpenWal(&env_, kDir, options_);
    ASSERT_TRUE(opened.status.ok()) << "seed " << seed_ << ": " << opened.status.ToString();
    CheckRecovered(opened);
    // Records past the recovered end are gone for good: forget them.
    appended_.erase(appended_.upper_bound(opened.report.last_lsn), appended_.end());
    for (int op = 0; op < 300; ++op) Step(opened.wal.get());
    opened.wal.reset();
    env_.Crash(FaultEnv::CrashMode::kTornTail);
  }

 private:
  void CheckRecovered(const Opened& opened) {
    ASSERT_GE(opened.report.last_lsn, synced_) << "seed " << seed_;
    std::string promise_seen;
    std::set<uint64_t> lsns;
    for (const WalRecord& record : opened.records) {
      lsns.insert(record.lsn);
      if (record.kind == RecordKind::kPromise) promise_seen = record.payload;
      auto it = appended_.find(record.lsn);
      if (it == appended_.end()) continue;  // a carried copy
      ASSERT_EQ(record.payload, it->second.payload) << "seed " << seed_ << " lsn " << record.lsn;
      ASSERT_EQ(record.slot, it->second.slot);
    }
    std::string promise_expected;
    for (const auto& [lsn, record] : appended_) {
      if (lsn > opened.report.last_lsn) break;
      if (record.kind == RecordKind::kPromise) promise_expected = record.payload;
      if (lsn > synced_ || !IsSlotScoped(record.kind) || record.slot < compacted_below_) continue;
      ASSERT_TRUE(lsns.count(lsn)) << "seed " << seed_ << " lost synced lsn " << lsn;
    }
    EXPECT_EQ(promise_seen, promise_expected) << "seed " << seed_;
  }

  void Step(Wal* wal) {
    const uint64_t dice = rng_() % 100;
    uint64_t lsn = 0;
    if (dice < 75) {
      RecordKind kind = dice < 40 ? RecordKind::kAccept : RecordKind::kDecision;
      uint64_t slot = next_slot_++;
      std::string payload = PayloadFor(rng_(), rng_() % 2000);
      if (dice >= 70) {
        kind = RecordKind::kPromise;
        slot = 0;
        payload = "promise " + std::to_string(rng_());
      }
      ASSERT_TRUE(wal->Append(kind, slot, payload, &lsn).ok());
      appended_[lsn] = WalRecord{lsn, kind, slot, payload};
    } else if (dice < 90) {
      if (rng_() % 5 == 0) env_.FailNextSyncs(1);
      if (wal->Sync().ok()) synced_ = wal->synced_lsn();
    } else if (dice < 95) {
      ASSERT_TRUE(wal->Append(RecordKind::kSnapshotMarker, next_slot_ - 1, "m", &lsn).ok());
      appended_[lsn] = WalRecord{lsn, RecordKind::kSnapshotMarker, next_slot_ - 1, "m"};
    } else {
      size_t removed = 0;
      const uint64_t below = next_slot_ > 50 ? next_slot_ - 50 : 1;
      if (wal->Compact(below, &removed).ok()) compacted_below_ = std::max(compacted_below_, below);
    }
  }

  uint64_t seed_;
  FaultEnv env_;
  std::mt19937_64 rng_;
  WalOptions options_;
  std::map<uint64_t, WalRecord> appended_;  // by lsn
  uint64_t synced_ = 0;
  uint64_t next_slot_ = 1;
  uint64_t compacted_below_ = 0;
};

TEST(WalRandomCrash, NeverLosesASyncedRecord) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    RandomCrashRun run(seed);
    for (int life = 0; life < 6; ++life) {
      run.Live();
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace pifleet::store
