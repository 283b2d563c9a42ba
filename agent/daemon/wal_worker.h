// Runs Wal::Sync() on its own thread so the event loop never waits on the disk (DESIGN §9).
// The loop calls Request() after appending; the worker syncs everything appended so far (group
// commit: one fdatasync covers all requests that arrived meanwhile) and hands the result back
// through `done`, which must post to the loop.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "agent/base/status.h"
#include "agent/store/wal.h"

namespace pifleet::daemon {

class SyncWorker {
 public:
  using Done = std::function<void(Status status)>;

  SyncWorker(store::Wal* wal, Done done);
  ~SyncWorker();  // finishes a sync in progress, then stops
  SyncWorker(const SyncWorker&) = delete;
  SyncWorker& operator=(const SyncWorker&) = delete;

  void Request();

 private:
  void Loop();

  store::Wal* const wal_;
  const Done done_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool requested_ = false;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::thread thread_;
};

}  // namespace pifleet::daemon
