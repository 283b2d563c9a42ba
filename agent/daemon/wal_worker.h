// Runs the WAL's slow calls on its own thread so the event loop never waits on the disk
// (DESIGN §9): Wal::Sync() (group commit: one fdatasync covers every request that arrived
// meanwhile) and Wal::Compact() (file removal and a directory fsync). It is the agent's
// node::WalExecutor; each result goes to `synced` / `compacted`, which must post to the loop.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/base/status.h"
#include "agent/node/seams.h"
#include "agent/store/wal.h"

namespace pifleet::daemon {

class WalWorker : public node::WalExecutor {
 public:
  using Synced = std::function<void(Status status)>;
  using Compacted = std::function<void(core::Slot below_slot, Status status, size_t removed)>;

  WalWorker(store::Wal* wal, Synced synced, Compacted compacted);
  ~WalWorker() override;  // finishes the call in progress, then stops
  WalWorker(const WalWorker&) = delete;
  WalWorker& operator=(const WalWorker&) = delete;

  void RequestSync() override;
  void RequestCompact(core::Slot below_slot) override;

 private:
  void Loop();

  store::Wal* const wal_;
  const Synced synced_;
  const Compacted compacted_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool sync_requested_ = false;                  // guarded by mu_
  std::optional<core::Slot> compact_requested_;  // guarded by mu_
  bool stopping_ = false;                        // guarded by mu_
  std::thread thread_;                           // last: starts once the members above exist
};

}  // namespace pifleet::daemon
