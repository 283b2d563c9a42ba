#include "agent/daemon/sync_worker.h"

namespace pifleet::daemon {

SyncWorker::SyncWorker(store::Wal* wal, Done done)
    : wal_(wal), done_(std::move(done)), thread_([this] { Loop(); }) {}

SyncWorker::~SyncWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void SyncWorker::Request() {
  {
    std::lock_guard lock(mu_);
    requested_ = true;
  }
  wake_.notify_one();
}

void SyncWorker::Loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return requested_ || stopping_; });
      if (!requested_ && stopping_) return;
      requested_ = false;
    }
    done_(wal_->Sync());
  }
}

}  // namespace pifleet::daemon
