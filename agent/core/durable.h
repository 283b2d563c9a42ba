// What an acceptor must keep across a crash, as records the core hands out in Ready and as the
// folded state a restarted core is built from. agent/store writes these records to its WAL; the
// simulator keeps them on a simulated disk. Only synced records survive a crash.
#pragma once

#include <map>
#include <variant>

#include "agent/core/types.h"

namespace pifleet::core {

struct PromiseRecord {
  Ballot ballot;
};
// Accepting (ballot, slot, value) also promises `ballot`.
struct AcceptRecord {
  PValue pvalue;
};
// A value this replica applied: lets a restarted node replay its own log after its snapshot
// instead of fetching it. Never needs a sync of its own (peers hold it too). When this node's
// acceptor holds the decided value as its accepted one, the record names that accept
// (`accepted_ballot`, `value` empty) instead of writing the value a second time.
struct DecisionRecord {
  Slot slot = 0;
  Value value;
  Ballot accepted_ballot;  // null: `value` is the decided value
};
// A snapshot of the state at `slot` is durable (the driver stored its blob before appending
// this); every accept and decision at or below `slot` is obsolete, so the WAL may compact.
struct SnapshotRecord {
  Slot slot = 0;
  uint64_t hash = 0;  // SnapshotHash of the blob
};
using Record = std::variant<PromiseRecord, AcceptRecord, DecisionRecord, SnapshotRecord>;

// The fold of every durable record: the acceptor's promise and, per slot, the highest-ballot
// accepted value; the decisions above the newest snapshot marker. Replaying records in order
// gives the state the node had when they synced.
struct DurableState {
  Ballot promised;
  std::map<Slot, PValue> accepted;
  std::map<Slot, Value> decisions;
  // Decisions that name an accept (slot -> its ballot) the fold did not hold where they came:
  // its segment was compacted away, which only a later snapshot marker at or above the slot
  // allows, and that marker drops them. One left at the end is a damaged log.
  std::map<Slot, Ballot> decisions_unresolved;
  Slot snapshot_slot = 0;  // newest durable snapshot marker (0: none)
  uint64_t snapshot_hash = 0;
  void Apply(const Record& record);
};

}  // namespace pifleet::core
