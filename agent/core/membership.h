// The configuration history of the replicated log: which voters decide slot s. A
// reconfiguration decided in slot s governs slots s + kWindowSlots and later, so a replica that
// has applied every slot below `applied + 1` knows the configuration of every slot in the window.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "agent/core/options.h"
#include "agent/core/types.h"

namespace pifleet::core {

class Membership {
 public:
  Membership(Config initial, Canary canary);

  enum class Outcome : uint8_t {
    kApplied,
    kRefused,  // not a valid configuration (CheckConfig)
    kStale,    // `replaces` is not the newest configuration any more: a replay or a lost race
  };
  // Records a reconfiguration decided (and applied) in `slot`. It takes effect only if its
  // `replaces` is LatestFirstSlot() (a compare-and-set); otherwise, or when CheckConfig refuses
  // its config, it changes nothing, alike on every replica and at every replay.
  Outcome OnApplied(Slot slot, const Command& reconfig);
  const Config& ForSlot(Slot slot) const;
  const Config& Latest() const { return entries_.back().second; }
  // The first slot that Latest() governs: what a new reconfiguration names as `replaces`.
  Slot LatestFirstSlot() const { return entries_.back().first; }
  // Votes needed in `config` (a strict majority unless the quorum canary is on).
  size_t QuorumSize(const Config& config) const;
  // Every node of every configuration from `slot` on: who receives decisions and heartbeats.
  std::vector<NodeId> NodesFrom(Slot slot) const;
  // Every voter of every configuration governing slots [from, from + kWindowSlots).
  std::vector<NodeId> WindowVoters(Slot from) const;

  // Snapshots: the entries that govern `slot` and later; forgetting the older ones; replacing
  // the whole history with a snapshot's entries.
  std::vector<std::pair<Slot, Config>> EntriesFrom(Slot slot) const;
  void DropBefore(Slot slot);
  void Restore(std::vector<std::pair<Slot, Config>> entries);
  size_t entry_count() const { return entries_.size(); }

 private:
  std::vector<std::pair<Slot, Config>> entries_;  // (first slot governed, config)
  Canary canary_;
};

}  // namespace pifleet::core
