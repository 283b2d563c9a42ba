// The snapshot writer (agent/daemon/snapshot_writer.h) on the fault-injecting disk: a save is
// reported only once durable, a newer snapshot supersedes a waiting one, a full disk or a failed
// fsync stores nothing, Stop() finishes the save in progress; and the agent's order (file
// durable, then marker, then sync, then compaction) recovers after a crash at every step.
#include "agent/daemon/snapshot_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/core/core.h"
#include "agent/core/snapshot.h"
#include "agent/store/core_log.h"
#include "agent/store/fault_env.h"
#include "agent/store/snapshot_file.h"

namespace pifleet::daemon {
namespace {

using store::FaultEnv;

constexpr char kDir[] = "/data";
// Bounds how long a test waits for the worker: a hang fails the test instead of blocking it.
constexpr auto kWaitMax = std::chrono::seconds(30);

std::shared_ptr<const std::string> Blob(core::Slot slot, size_t state_bytes = 4000) {
  core::Config config;
  config.voters = {2};
  return std::make_shared<const std::string>(core::EncodeSnapshot(
      core::SnapshotMeta{slot, {{1, config}}}, std::string(state_bytes, static_cast<char>(slot))));
}

SnapshotWriter::Job JobFor(core::Slot slot) {
  auto blob = Blob(slot);
  const core::SnapshotRecord marker{slot, core::SnapshotHash(*blob)};
  return {core::SnapshotSave{slot, std::move(blob)}, marker};
}

std::vector<std::string> SnapFiles(FaultEnv* env) {
  std::vector<std::string> names;
  EXPECT_TRUE(env->GetChildren(store::SnapDir(kDir), &names).ok());
  return names;
}

// Counts the writer's wake-ups; the test waits for them.
class Waker {
 public:
  SnapshotWriter::Wake Fn() {
    return [this] {
      std::lock_guard lock(mu_);
      ++count_;
      cv_.notify_all();
    };
  }
  int count() {
    std::lock_guard lock(mu_);
    return count_;
  }
  bool WaitFor(int count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWaitMax, [&] { return count_ >= count; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

// An Env over a FaultEnv that numbers every call (files' Append/Sync/Close included) and can
// pause at one step until resumed, or crash the disk at one step: that call and every later one
// fail, as for a process that died there.
class StepEnv final : public store::Env {
 public:
  explicit StepEnv(FaultEnv* base) : base_(base) {}

  void PauseAt(uint64_t step) {
    std::lock_guard lock(mu_);
    pause_at_ = step;
  }
  void CrashAt(uint64_t step, FaultEnv::CrashMode mode) {
    std::lock_guard lock(mu_);
    crash_at_ = step;
    mode_ = mode;
  }
  bool WaitPaused() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWaitMax, [&] { return paused_; });
  }
  void Resume() {
    std::lock_guard lock(mu_);
    paused_ = false;
    pause_at_ = 0;
    cv_.notify_all();
  }
  uint64_t steps() const {
    std::lock_guard lock(mu_);
    return steps_;
  }

  Status Step() {
    std::unique_lock lock(mu_);
    ++steps_;
    if (steps_ == pause_at_) {
      paused_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !paused_; });
    }
    if (steps_ == crash_at_) {
      crashed_ = true;
      base_->Crash(mode_);
    }
    return crashed_ ? Status::IOError("crashed at step " + std::to_string(crash_at_))
                    : Status::Ok();
  }

  Status NewSequentialFile(const std::string& path,
                           std::unique_ptr<store::SequentialFile>* out) override {
    Status s = Step();
    return s.ok() ? base_->NewSequentialFile(path, out) : s;
  }
  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<store::RandomAccessFile>* out) override {
    Status s = Step();
    return s.ok() ? base_->NewRandomAccessFile(path, out) : s;
  }
  Status NewWritableFile(const std::string& path,
                         std::unique_ptr<store::WritableFile>* out) override {
    return Wrap(base_->NewWritableFile(path, out), out);
  }
  Status NewAppendableFile(const std::string& path,
                           std::unique_ptr<store::WritableFile>* out) override {
    return Wrap(base_->NewAppendableFile(path, out), out);
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    Status s = Step();
    return s.ok() ? base_->RenameFile(from, to) : s;
  }
  Status RemoveFile(const std::string& path) override {
    Status s = Step();
    return s.ok() ? base_->RemoveFile(path) : s;
  }
  Status SyncDir(const std::string& dir) override {
    Status s = Step();
    return s.ok() ? base_->SyncDir(dir) : s;
  }
  Status CreateDir(const std::string& dir) override {
    Status s = Step();
    return s.ok() ? base_->CreateDir(dir) : s;
  }
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    Status s = Step();
    return s.ok() ? base_->GetChildren(dir, names) : s;
  }
  bool FileExists(const std::string& path) override {
    return Step().ok() && base_->FileExists(path);
  }
  Status GetFileSize(const std::string& path, uint64_t* bytes) override {
    Status s = Step();
    return s.ok() ? base_->GetFileSize(path, bytes) : s;
  }
  Status GetFileMode(const std::string& path, uint32_t* mode) override {
    Status s = Step();
    return s.ok() ? base_->GetFileMode(path, mode) : s;
  }
  Status TruncateFile(const std::string& path, uint64_t bytes) override {
    Status s = Step();
    return s.ok() ? base_->TruncateFile(path, bytes) : s;
  }
  Status GetFreeBytes(const std::string& dir, uint64_t* bytes) override {
    Status s = Step();
    return s.ok() ? base_->GetFreeBytes(dir, bytes) : s;
  }

 private:
  class File final : public store::WritableFile {
   public:
    File(StepEnv* env, std::unique_ptr<store::WritableFile> base)
        : env_(env), base_(std::move(base)) {}
    Status Append(std::string_view data) override {
      Status s = env_->Step();
      return s.ok() ? base_->Append(data) : s;
    }
    Status Sync() override {
      Status s = env_->Step();
      return s.ok() ? base_->Sync() : s;
    }
    Status Close() override {
      Status s = env_->Step();
      return s.ok() ? base_->Close() : s;
    }

   private:
    StepEnv* env_;
    std::unique_ptr<store::WritableFile> base_;
  };

  Status Wrap(Status opened, std::unique_ptr<store::WritableFile>* out) {
    Status s = Step();
    if (!s.ok()) {
      out->reset();
      return s;
    }
    if (opened.ok()) *out = std::make_unique<File>(this, std::move(*out));
    return opened;
  }

  FaultEnv* const base_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t steps_ = 0;
  uint64_t pause_at_ = 0;
  uint64_t crash_at_ = 0;
  bool paused_ = false;
  bool crashed_ = false;
  FaultEnv::CrashMode mode_ = FaultEnv::CrashMode::kDropUnsynced;
};

TEST(SnapshotWriter, ReportsASaveOnlyOnceItsFileIsDurable) {
  FaultEnv env(1);
  Waker waker;
  SnapshotWriter writer(&env, kDir, waker.Fn());
  const SnapshotWriter::Job job = JobFor(10);
  EXPECT_EQ(writer.Submit(job), std::nullopt);
  ASSERT_TRUE(waker.WaitFor(1));
  std::vector<SnapshotWriter::Result> results = writer.TakeFinished();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_EQ(results[0].slot, 10u);
  EXPECT_EQ(results[0].bytes, job.save.blob->size());
  ASSERT_TRUE(results[0].marker.has_value());
  EXPECT_EQ(results[0].marker->hash, job.marker->hash);
  EXPECT_TRUE(writer.TakeFinished().empty());

  env.Crash(FaultEnv::CrashMode::kDropUnsynced);  // what a durable save must survive
  store::CoreRecovery recovery;
  ASSERT_TRUE(store::RecoverCore(&env, kDir, {}, &recovery).ok());
  ASSERT_NE(recovery.snapshot, nullptr);
  EXPECT_EQ(recovery.snapshot_slot, 10u);
  EXPECT_EQ(*recovery.snapshot, *job.save.blob);
}

TEST(SnapshotWriter, ANewerSnapshotSupersedesTheOneWaiting) {
  FaultEnv env(2);
  StepEnv steps(&env);
  steps.PauseAt(1);  // the first save holds the worker
  Waker waker;
  SnapshotWriter writer(&steps, kDir, waker.Fn());
  EXPECT_EQ(writer.Submit(JobFor(10)), std::nullopt);
  ASSERT_TRUE(steps.WaitPaused());
  EXPECT_EQ(writer.Submit(JobFor(20)), std::nullopt);
  EXPECT_EQ(writer.Submit(JobFor(30)), std::optional<core::Slot>(20));
  EXPECT_TRUE(writer.has_waiting());
  EXPECT_EQ(writer.superseded_count(), 1u);
  steps.Resume();
  ASSERT_TRUE(waker.WaitFor(2));
  const std::vector<SnapshotWriter::Result> results = writer.TakeFinished();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].slot, 10u);
  EXPECT_EQ(results[1].slot, 30u);
  EXPECT_TRUE(results[0].status.ok() && results[1].status.ok());
  EXPECT_EQ(SnapFiles(&env),
            (std::vector<std::string>{store::SnapshotFileName(10), store::SnapshotFileName(30)}));
}

TEST(SnapshotWriter, AFullDiskStoresNothingAndTheNextSaveSucceeds) {
  FaultEnv env(3);
  Waker waker;
  SnapshotWriter writer(&env, kDir, waker.Fn());
  env.SetSpaceLimitBytes(env.used_bytes() + 1000);  // the blob is 4 KB
  writer.Submit(JobFor(10));
  ASSERT_TRUE(waker.WaitFor(1));
  std::vector<SnapshotWriter::Result> results = writer.TakeFinished();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status.code(), Status::Code::kNoSpace) << results[0].status.ToString();
  EXPECT_TRUE(SnapFiles(&env).empty()) << "neither the snapshot nor its temp file";

  env.SetSpaceLimitBytes(UINT64_MAX);
  writer.Submit(JobFor(20));
  ASSERT_TRUE(waker.WaitFor(2));
  results = writer.TakeFinished();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_EQ(SnapFiles(&env), std::vector<std::string>{store::SnapshotFileName(20)});
}

TEST(SnapshotWriter, AFailedFsyncStoresNothing) {
  FaultEnv env(4);
  Waker waker;
  SnapshotWriter writer(&env, kDir, waker.Fn());
  env.FailNextSyncs(1);
  writer.Submit(JobFor(10));
  ASSERT_TRUE(waker.WaitFor(1));
  const std::vector<SnapshotWriter::Result> results = writer.TakeFinished();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status.code(), Status::Code::kIOError);
  env.Crash(FaultEnv::CrashMode::kTornTail);
  store::SnapshotInfo info;
  EXPECT_EQ(store::FindLatestSnapshot(&env, store::SnapDir(kDir), &info).code(),
            Status::Code::kNotFound);
}

TEST(SnapshotWriter, StopFinishesTheSaveInProgressAndDropsTheOneWaiting) {
  FaultEnv env(5);
  StepEnv steps(&env);
  steps.PauseAt(1);
  SnapshotWriter writer(&steps, kDir, [] {});
  writer.Submit(JobFor(10));
  ASSERT_TRUE(steps.WaitPaused());
  writer.Submit(JobFor(20));
  std::thread stopper([&] { writer.Stop(); });
  const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
  while (writer.has_waiting() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_FALSE(writer.has_waiting()) << "Stop() drops the waiting save at once";
  steps.Resume();
  stopper.join();
  const std::vector<SnapshotWriter::Result> results = writer.TakeFinished();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].slot, 10u);
  EXPECT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_EQ(SnapFiles(&env), std::vector<std::string>{store::SnapshotFileName(10)});
  writer.Stop();  // idempotent
}

TEST(SnapshotWriter, PreparesABufferAfterTheWaitingSaveAndGivesItBackEmpty) {
  FaultEnv env(6);
  StepEnv steps(&env);
  steps.PauseAt(1);  // the first save holds the worker
  Waker waker;
  SnapshotWriter writer(&steps, kDir, waker.Fn());
  writer.Submit(JobFor(10));
  ASSERT_TRUE(steps.WaitPaused());
  writer.Submit(JobFor(20));
  constexpr uint64_t kBytes = 1 << 20;
  auto buffer = std::make_shared<std::string>("an older blob");
  buffer->reserve(kBytes);
  writer.Prepare(buffer, kBytes);
  EXPECT_EQ(buffer.use_count(), 2) << "the writer holds the buffer until it is done";
  steps.Resume();
  const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
  while (buffer.use_count() > 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(buffer.use_count(), 1) << "the writer never gave the buffer back";
  EXPECT_TRUE(buffer->empty());
  EXPECT_GE(buffer->capacity(), kBytes);
  EXPECT_EQ(waker.count(), 2) << "both saves, the waiting one too, before the preparation";
  const std::vector<SnapshotWriter::Result> results = writer.TakeFinished();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].slot, 20u);
}

// The agent's order for one snapshot, and a crash at every point of it. Slots 1..kLastSlot are
// accepted and decided, snapshot A (kSlotA) is durable with its marker synced; then snapshot B
// (kSlotB) goes through the writer, its marker is appended, synced, and the WAL compacted.
class SnapshotCrashTest : public ::testing::TestWithParam<FaultEnv::CrashMode> {
 protected:
  static constexpr core::Slot kSlotA = 100;
  static constexpr core::Slot kSlotB = 200;
  static constexpr core::Slot kLastSlot = 300;
  static constexpr store::WalOptions kSmallSegments{4 * 32 * 1024};

  enum class After { kSave, kMarkerAppended, kMarkerSynced };

  static void Append(store::Wal* wal, const core::Record& record) {
    uint64_t lsn = 0;
    ASSERT_TRUE(store::AppendCoreRecord(wal, record, &lsn).ok());
  }

  // Stores a snapshot through a writer on env; its marker if the save succeeded.
  static std::optional<core::SnapshotRecord> Save(store::Env* env, core::Slot slot) {
    Waker waker;
    SnapshotWriter writer(env, kDir, waker.Fn());
    writer.Submit(JobFor(slot));
    EXPECT_TRUE(waker.WaitFor(1));
    const std::vector<SnapshotWriter::Result> results = writer.TakeFinished();
    if (results.size() != 1 || !results[0].status.ok()) return std::nullopt;
    return results[0].marker;
  }

  // Slots 1..kLastSlot and snapshot A with its marker, all durable. Returns the open WAL.
  static std::unique_ptr<store::Wal> Baseline(FaultEnv* env) {
    store::CoreRecovery first;
    EXPECT_TRUE(store::RecoverCore(env, kDir, kSmallSegments, &first).ok());
    store::Wal* wal = first.wal.get();
    Append(wal, core::PromiseRecord{{4, 2}});
    for (core::Slot slot = 1; slot <= kLastSlot; ++slot) {
      core::Command command;
      command.client_id = 5;
      command.sequence = slot;
      command.payload = std::string(300, 'c');
      const core::Value value{{command}};
      Append(wal, core::AcceptRecord{core::PValue{{4, 2}, slot, value}});
      Append(wal, core::DecisionRecord{slot, value, {}});
    }
    const std::optional<core::SnapshotRecord> marker = Save(env, kSlotA);
    EXPECT_TRUE(marker.has_value());
    if (marker) Append(wal, *marker);
    EXPECT_TRUE(wal->Sync().ok());
    return std::move(first.wal);
  }

  // After a crash: recovery starts, no temp file is left, the restored core has applied every
  // slot, and the snapshot is A or B with any marker at or below it.
  static void ExpectRecovers(FaultEnv* env, const std::string& where,
                             core::Slot want_marker_at_least) {
    store::CoreRecovery recovery;
    const Status status = store::RecoverCore(env, kDir, kSmallSegments, &recovery);
    ASSERT_TRUE(status.ok()) << where << ": " << status.ToString();
    for (const std::string& name : SnapFiles(env)) {
      EXPECT_EQ(name.find(".tmp"), std::string::npos) << where << ": " << name;
    }
    ASSERT_NE(recovery.snapshot, nullptr) << where;
    EXPECT_TRUE(recovery.snapshot_slot == kSlotA || recovery.snapshot_slot == kSlotB) << where;
    EXPECT_LE(recovery.durable.snapshot_slot, recovery.snapshot_slot) << where;
    EXPECT_GE(recovery.durable.snapshot_slot, want_marker_at_least) << where;
    core::CoreOptions options;
    options.id = 2;
    options.initial_config.voters = {2};
    core::Core core(options, recovery.durable, recovery.snapshot);
    EXPECT_EQ(core.AppliedSlot(), kLastSlot) << where;
  }
};

TEST_P(SnapshotCrashTest, ACrashInsideTheSaveRecoversTheOldSnapshotAndTheWal) {
  uint64_t save_steps = 0;
  {
    FaultEnv env(6);
    std::unique_ptr<store::Wal> wal = Baseline(&env);
    StepEnv steps(&env);
    ASSERT_TRUE(Save(&steps, kSlotB).has_value());
    save_steps = steps.steps();
  }
  ASSERT_GE(save_steps, 6u) << "dir, temp file, append, fsync, close, rename, dir sync";
  for (uint64_t crash_at = 1; crash_at <= save_steps; ++crash_at) {
    FaultEnv env(7 + crash_at);
    std::unique_ptr<store::Wal> wal = Baseline(&env);
    StepEnv steps(&env);
    steps.CrashAt(crash_at, GetParam());
    const std::optional<core::SnapshotRecord> marker = Save(&steps, kSlotB);
    EXPECT_FALSE(marker.has_value()) << "crash at step " << crash_at << " reported a durable save";
    wal.reset();
    ExpectRecovers(&env, "crash at save step " + std::to_string(crash_at), kSlotA);
  }
}

TEST_P(SnapshotCrashTest, ACrashAfterTheSaveRecoversAtEveryStepOfTheMarker) {
  for (After after : {After::kSave, After::kMarkerAppended, After::kMarkerSynced}) {
    FaultEnv env(100 + static_cast<int>(after));
    std::unique_ptr<store::Wal> wal = Baseline(&env);
    const std::optional<core::SnapshotRecord> marker = Save(&env, kSlotB);
    ASSERT_TRUE(marker.has_value());
    if (after != After::kSave) Append(wal.get(), *marker);
    if (after == After::kMarkerSynced) {
      ASSERT_TRUE(wal->Sync().ok());
      size_t removed = 0;
      ASSERT_TRUE(wal->Compact(kSlotB, &removed).ok());
      EXPECT_GT(removed, 0u) << "the test means to crash after a compaction";
    }
    wal.reset();
    env.Crash(GetParam());
    ExpectRecovers(&env, "crash after step " + std::to_string(static_cast<int>(after)),
                   after == After::kMarkerSynced ? kSlotB : kSlotA);
  }
}

TEST_P(SnapshotCrashTest, NewerSnapshotsWithoutMarkersStillRecover) {
  // Two more saves whose markers never made it: snap/ keeps the newest two files, so A (which
  // the WAL's marker names) is gone, and recovery starts from the newest file.
  FaultEnv env(200);
  std::unique_ptr<store::Wal> wal = Baseline(&env);
  ASSERT_TRUE(Save(&env, kSlotB - 50).has_value());
  ASSERT_TRUE(Save(&env, kSlotB).has_value());
  EXPECT_EQ(SnapFiles(&env), (std::vector<std::string>{store::SnapshotFileName(kSlotB - 50),
                                                       store::SnapshotFileName(kSlotB)}));
  wal.reset();
  env.Crash(GetParam());
  ExpectRecovers(&env, "markers never appended", kSlotA);
}

TEST_P(SnapshotCrashTest, StartRemovesATempFileACrashLeft) {
  // On a real file system a half-written temp file can outlive the crash; start removes it.
  FaultEnv env(300);
  std::unique_ptr<store::Wal> wal = Baseline(&env);
  const std::string tmp =
      store::JoinPath(store::SnapDir(kDir), store::SnapshotFileName(kSlotB)) + ".tmp";
  std::unique_ptr<store::WritableFile> file;
  ASSERT_TRUE(env.NewWritableFile(tmp, &file).ok());
  ASSERT_TRUE(file->Append(Blob(kSlotB)->substr(0, 1000)).ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(env.SyncDir(store::SnapDir(kDir)).ok());
  file.reset();
  wal.reset();
  env.Crash(GetParam());
  ASSERT_TRUE(env.FileExists(tmp));
  store::CoreRecovery recovery;
  ASSERT_TRUE(store::RecoverCore(&env, kDir, kSmallSegments, &recovery).ok());
  EXPECT_EQ(recovery.snapshot_temp_files_removed, 1u);
  EXPECT_FALSE(env.FileExists(tmp));
  ExpectRecovers(&env, "temp file", kSlotA);
}

INSTANTIATE_TEST_SUITE_P(BothCrashModes, SnapshotCrashTest,
                         ::testing::Values(FaultEnv::CrashMode::kDropUnsynced,
                                           FaultEnv::CrashMode::kTornTail),
                         [](const auto& mode) {
                           return mode.param == FaultEnv::CrashMode::kDropUnsynced
                                      ? std::string("DropUnsynced")
                                      : std::string("TornTail");
                         });

}  // namespace
}  // namespace pifleet::daemon
