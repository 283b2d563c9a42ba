// One simulated node: its core, its simulated disk (records become durable only when a
// simulated fsync completes; a crash drops the unsynced ones), the replies it holds until
// they are durable, and its state machine.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "agent/core/core.h"
#include "agent/sm/kv.h"

namespace pifleet::sim {

struct SimDisk {
  core::DurableState durable;          // the fold of every synced record
  std::vector<core::Record> unsynced;  // appended, not yet covered by a completed fsync
  uint64_t appended = 0;               // records ever appended (this incarnation)
  uint64_t synced = 0;                 // records covered by completed fsyncs
  bool sync_in_flight = false;

  void Append(core::Record record) {
    unsynced.push_back(std::move(record));
    ++appended;
  }
  // Completes an fsync that covers the first `upto` records.
  void SyncDone(uint64_t upto) {
    const uint64_t count = upto - synced;
    for (uint64_t i = 0; i < count; ++i) durable.Apply(unsynced[i]);
    unsynced.erase(unsynced.begin(), unsynced.begin() + static_cast<std::ptrdiff_t>(count));
    synced = upto;
  }
  void Crash() {
    unsynced.clear();
    appended = synced = 0;
    sync_in_flight = false;
  }
};

struct SimNode {
  core::NodeId id = 0;
  bool up = true;
  uint32_t incarnation = 0;
  std::unique_ptr<core::Core> core;
  SimDisk disk;
  std::vector<std::pair<uint64_t, core::Envelope>> held;  // (records that must be durable, msg)
  std::unique_ptr<sm::KvStore> kv;
  std::map<uint64_t, uint64_t> waiting;  // client id -> sequence a client sent here
  core::Slot applied = 0;
  core::Ballot promise_floor;
  int64_t tick_period_us = 10000;
};

}  // namespace pifleet::sim
