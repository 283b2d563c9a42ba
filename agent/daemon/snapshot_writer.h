// Stores the core's snapshot blobs as snap/<slot>.snap (store::SaveCoreSnapshot: temp file,
// fsync, rename, directory fsync) on its own thread, so the event loop never waits on a write
// of megabytes (DESIGN §5, issue 5: fsync off the event loop).
//
// The loop hands each Ready's snapshot_save to Submit() together with the marker record that
// promises it, and appends that marker to the WAL only once TakeFinished() reports the file
// durable; a failed save returns its marker unused. At most one save runs at a time. A save
// submitted while another runs waits; a newer one replaces a waiting one (superseded: recovery
// reads only the newest snapshot file, and the WAL keeps every slot above the last durable
// marker). `wake` runs on the worker after each save and must only post to the loop. Between
// saves it touches the pages of the driver's next blob (Prepare).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/status.h"
#include "agent/core/durable.h"
#include "agent/core/ready.h"
#include "agent/node/seams.h"
#include "agent/store/env.h"

namespace pifleet::daemon {

// The agent's node::SnapshotStore.
class SnapshotWriter : public node::SnapshotStore {
 public:
  using Job = node::SnapshotJob;
  using Result = node::SnapshotResult;
  using Wake = std::function<void()>;

  // env must be thread-safe (PosixEnv, FaultEnv) and outlive the writer.
  SnapshotWriter(store::Env* env, std::string data_dir, Wake wake);
  ~SnapshotWriter() override;  // Stop()
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Queues job (its blob must be non-null); returns the slot of the waiting job it superseded.
  std::optional<core::Slot> Submit(Job job) override;
  // The saves finished since the last call, oldest first.
  std::vector<Result> TakeFinished() override;
  // Done after any waiting save; a newer one replaces one not started.
  void Prepare(std::shared_ptr<std::string> buffer, uint64_t bytes) override;
  // Drops the waiting job, lets the save in progress finish (its result stays for
  // TakeFinished) and joins the thread. Idempotent; no Submit after it.
  void Stop();

  bool has_waiting() const;
  uint64_t superseded_count() const;

 private:
  void Loop();

  store::Env* const env_;
  const std::string data_dir_;
  const Wake wake_;
  mutable std::mutex mu_;
  std::condition_variable work_;
  struct Preparation {
    std::shared_ptr<std::string> buffer;
    uint64_t bytes = 0;
  };
  std::optional<Job> waiting_;            // guarded by mu_
  std::optional<Preparation> preparing_;  // guarded by mu_
  std::vector<Result> finished_;          // guarded by mu_
  uint64_t superseded_ = 0;               // guarded by mu_
  bool stopping_ = false;                 // guarded by mu_
  std::thread thread_;                    // last: starts once the members above exist
};

}  // namespace pifleet::daemon
