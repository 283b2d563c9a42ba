// Simulated watchers (docs/simulator.md): each follows every key through the agent's own WatchHub
// (agent/daemon/watch_hub.h, one per node incarnation, fed by the driver's applied commands and
// installs) and pulls from a cursor as `pifleet watch` does: a held request, a reply naming the
// cursor to ask from next, and on silence (the node died, a partition, a lost datagram) or a
// "compacted" answer the same cursor at another node. The checker holds the events every node
// applied, per revision, and compares each event a watcher receives with the one due next: in
// order, no gap, no duplicate, the same event. When no node holds the cursor any more (each
// restarted past it), the watcher starts again from the next revision, as the CLI exits 1 and the
// user watches again; such restarts are counted.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agent/sm/kv.h"
#include "agent/wire/watch_bodies.h"

namespace pifleet::sim {

inline constexpr uint32_t kWatchWaitMs = 300;      // how long a node may hold a request
inline constexpr int64_t kWatchSlackUs = 200'000;  // beyond the hold, before asking elsewhere
inline constexpr uint64_t kWatcherIdBit = uint64_t{1} << 61;  // watchers' client ids

struct Watcher {
  uint32_t node = 0;  // the node index asked now
  uint64_t sequence = 0;
  wire::WatchRequestBody body;  // the cursor
  bool anchored = false;        // the next event due is known (false after a restart)
  uint64_t due_revision = 0;    // the next event due: (revision, index within it)
  uint64_t due_index = 0;
  uint64_t last_revision = 0;  // of the last event received
  uint32_t compacted_in_a_row = 0;
};

class WatcherPool {
 public:
  WatcherPool(uint32_t watchers, bool resume_at_last_canary);

  // After a node applied a command or installed a snapshot: notes the events of its new revision
  // (when the store moved by one) as the reference; "" or a determinism violation.
  std::string NoteApplied(uint64_t node_id, const sm::KvStore& kv);
  // A reply for watcher `w`; "" or a violation. `moved` is set when the watcher must ask another
  // node next (a compacted answer).
  std::string OnReply(uint32_t w, const wire::WatchReplyBody& reply, uint32_t nodes, bool* moved);
  // The watcher asks `node` next (its node did not answer, or answered "compacted").
  void MoveTo(uint32_t w, uint32_t node);

  std::vector<Watcher>& watchers() { return watchers_; }
  uint64_t events_checked() const { return events_checked_; }
  uint64_t restarts() const { return restarts_; }

 private:
  std::string Check(Watcher& watcher, const wire::WatchEventBody& event);

  std::vector<Watcher> watchers_;
  bool resume_at_last_canary_;
  std::map<uint64_t, std::vector<sm::KvEvent>> applied_;  // revision -> its events
  std::map<uint64_t, uint64_t> seen_revision_;            // node id -> its store's revision
  uint64_t events_checked_ = 0;
  uint64_t restarts_ = 0;
};

}  // namespace pifleet::sim
