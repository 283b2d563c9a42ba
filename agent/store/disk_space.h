// Disk-full state for the owner of the WAL: the node stops voting while the disk is full, keeps
// serving reads, reports the state (status, log, metric) and retries on its own.
// Time is ticks; the owner feeds every Sync() result and asks when to retry.
#pragma once

#include <cstdint>
#include <string>

#include "agent/base/status.h"
#include "agent/store/env.h"

namespace pifleet::store {

class DiskFullState {
 public:
  explicit DiskFullState(uint64_t retry_ticks);

  // Feeds a sync result. Returns true when the state changed, so the caller logs it once.
  bool Observe(const Status& sync_status, uint64_t now_ticks);
  bool disk_full() const { return full_; }
  // While full: true once every retry_ticks (the caller then retries Sync()).
  bool RetryDue(uint64_t now_ticks) const;
  // Metric: how many times the disk became full.
  uint64_t full_events() const { return full_events_; }
  // The NoSpace message that started the current episode (names the path).
  const std::string& message() const { return message_; }

 private:
  uint64_t retry_ticks_;
  bool full_ = false;
  uint64_t last_attempt_ticks_ = 0;
  uint64_t full_events_ = 0;
  std::string message_;
};

// NoSpace (naming dir) if fewer than reserve_bytes are free on the file system holding dir.
Status CheckFreeSpace(Env* env, const std::string& dir, uint64_t reserve_bytes);

}  // namespace pifleet::store
