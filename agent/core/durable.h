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
using Record = std::variant<PromiseRecord, AcceptRecord>;

// The fold of every durable record: the acceptor's promise and, per slot, the highest-ballot
// accepted value. Replaying records in order gives the state the acceptor had when they synced.
struct DurableState {
  Ballot promised;
  std::map<Slot, PValue> accepted;
  void Apply(const Record& record);
};

}  // namespace pifleet::core
