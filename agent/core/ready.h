// The core's output batch, after etcd-io/raft's Ready. The driver (daemon or simulator) handles
// the fields of one Ready in this order, then calls Core::Advance():
//   0. `snapshot_save`: store this snapshot blob durably (snap/ file, fsynced) BEFORE appending
//      `records`, which hold its SnapshotRecord marker. If it cannot be stored, drop the marker
//      record (the marker promises the blob exists); nothing else depends on it.
//   1. `records`: append to durable storage; when `must_sync`, start an fdatasync. One sync may
//      cover the records of several Readies (group commit).
//   2. `messages`: send now. They never depend on unsynced state.
//   3. `messages_after_sync`: send only once every record handed out so far (in this and every
//      earlier Ready) is durable: promises and accepted replies. A crash before that drops them.
//   4. `install`: replace the whole state machine with these bytes (its state at install->slot).
//   5. `committed`: decided slot values, in slot order without gaps, all above any `install`;
//      apply them to the state machine in this order.
// Messages addressed to this node itself must be delivered back to it (never dropped unless the
// node crashes): the local acceptor answers the local leader through the same path.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/durable.h"
#include "agent/core/message.h"

namespace pifleet::core {

struct SnapshotSave {
  Slot slot = 0;
  std::shared_ptr<const std::string> blob;  // EncodeSnapshot bytes (agent/core/snapshot.h)
};
struct SnapshotInstall {
  Slot slot = 0;
  std::string app_bytes;  // the state machine's own snapshot bytes
};

struct Ready {
  std::optional<SnapshotSave> snapshot_save;
  std::vector<Record> records;
  bool must_sync = false;
  std::vector<Envelope> messages;
  std::vector<Envelope> messages_after_sync;
  std::optional<SnapshotInstall> install;
  std::vector<Decision> committed;
  // One per kReconfig command of `committed`, in order: whether it took effect (false: stale or
  // refused; Membership::OnApplied), so the driver can tell its listeners.
  std::vector<bool> reconfigs_took_effect;

  bool Empty() const {
    return !snapshot_save && records.empty() && messages.empty() && messages_after_sync.empty() &&
           !install && committed.empty();
  }
};

}  // namespace pifleet::core
