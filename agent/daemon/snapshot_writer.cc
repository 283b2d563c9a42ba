#include "agent/daemon/snapshot_writer.h"

#include <chrono>
#include <utility>

#include "agent/base/assert.h"
#include "agent/store/core_log.h"

namespace pifleet::daemon {

SnapshotWriter::SnapshotWriter(store::Env* env, std::string data_dir, Wake wake)
    : env_(env),
      data_dir_(std::move(data_dir)),
      wake_(std::move(wake)),
      thread_([this] { Loop(); }) {}

SnapshotWriter::~SnapshotWriter() { Stop(); }

std::optional<core::Slot> SnapshotWriter::Submit(Job job) {
  PIFLEET_ASSERT(job.save.blob != nullptr);
  PIFLEET_ASSERT(!job.marker || job.marker->slot == job.save.slot);
  std::optional<core::Slot> superseded;
  {
    std::lock_guard lock(mu_);
    PIFLEET_ASSERT_MSG(!stopping_, "a snapshot submitted after Stop()");
    if (waiting_) {
      PIFLEET_ASSERT_MSG(waiting_->save.slot < job.save.slot, "snapshots come in slot order");
      superseded = waiting_->save.slot;
      ++superseded_;
    }
    waiting_ = std::move(job);
  }
  work_.notify_one();
  return superseded;
}

void SnapshotWriter::Prepare(std::shared_ptr<std::string> buffer, uint64_t bytes) {
  PIFLEET_ASSERT(buffer != nullptr && bytes <= buffer->capacity());
  {
    std::lock_guard lock(mu_);
    PIFLEET_ASSERT_MSG(!stopping_, "a preparation asked for after Stop()");
    preparing_ = Preparation{std::move(buffer), bytes};
  }
  work_.notify_one();
}

std::vector<SnapshotWriter::Result> SnapshotWriter::TakeFinished() {
  std::lock_guard lock(mu_);
  return std::exchange(finished_, {});
}

void SnapshotWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    waiting_.reset();  // the WAL still holds its slots; the next start snapshots again
    preparing_.reset();
  }
  work_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool SnapshotWriter::has_waiting() const {
  std::lock_guard lock(mu_);
  return waiting_.has_value();
}

uint64_t SnapshotWriter::superseded_count() const {
  std::lock_guard lock(mu_);
  return superseded_;
}

void SnapshotWriter::Loop() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mu_);
      work_.wait(lock, [this] { return waiting_ || preparing_ || stopping_; });
      if (stopping_) return;  // Stop() dropped whatever was waiting
      if (!waiting_) {
        Preparation preparation = std::move(*preparing_);
        preparing_.reset();
        lock.unlock();
        // Within the capacity the driver reserved: writes every byte, so every page, once.
        preparation.buffer->resize(preparation.bytes);
        preparation.buffer->clear();
        continue;  // the buffer is the driver's again as this reference goes
      }
      job = std::move(*waiting_);
      waiting_.reset();
    }
    const auto start = std::chrono::steady_clock::now();
    Result result;
    result.slot = job.save.slot;
    result.bytes = job.save.blob->size();
    result.marker = job.marker;
    result.status = store::SaveCoreSnapshot(env_, data_dir_, job.save);
    result.write_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::steady_clock::now() - start)
                                                .count());
    {
      std::lock_guard lock(mu_);
      finished_.push_back(std::move(result));
    }
    wake_();
  }
}

}  // namespace pifleet::daemon
