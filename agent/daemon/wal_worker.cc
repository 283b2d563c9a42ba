#include "agent/daemon/wal_worker.h"

namespace pifleet::daemon {

WalWorker::WalWorker(store::Wal* wal, Synced synced, Compacted compacted)
    : wal_(wal),
      synced_(std::move(synced)),
      compacted_(std::move(compacted)),
      thread_([this] { Loop(); }) {}

WalWorker::~WalWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalWorker::RequestSync() {
  {
    std::lock_guard lock(mu_);
    sync_requested_ = true;
  }
  wake_.notify_one();
}

void WalWorker::RequestCompact(core::Slot below_slot) {
  {
    std::lock_guard lock(mu_);
    compact_requested_ = below_slot;
  }
  wake_.notify_one();
}

void WalWorker::Loop() {
  while (true) {
    bool sync = false;
    std::optional<core::Slot> compact;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return sync_requested_ || compact_requested_ || stopping_; });
      if (!sync_requested_ && !compact_requested_ && stopping_) return;
      sync = std::exchange(sync_requested_, false);
      compact = std::exchange(compact_requested_, std::nullopt);
    }
    // Syncs first: a reply may be waiting on it, while compaction only frees disk space.
    if (sync) synced_(wal_->Sync());
    if (compact) {
      size_t removed = 0;
      const Status status = wal_->Compact(*compact, &removed);
      compacted_(*compact, status, removed);
    }
  }
}

}  // namespace pifleet::daemon
