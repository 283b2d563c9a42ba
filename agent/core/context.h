// State shared by the roles of one core: its options, PRNG, configuration history, and the
// Ready being filled. Roles write their output here; Core::TakeReady hands it to the driver.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "agent/core/membership.h"
#include "agent/core/options.h"
#include "agent/core/ready.h"
#include "agent/core/rng.h"
#include "agent/core/snapshot.h"

namespace pifleet::core {

struct Context {
  explicit Context(const CoreOptions& opts)
      : options(opts), rng(opts.seed), membership(opts.initial_config, opts.canary) {}

  NodeId self() const { return options.id; }
  void Send(NodeId to, Message message) {
    ready.messages.push_back(Envelope{options.id, to, std::move(message)});
  }
  // For replies that reveal acceptor state: they leave once that state is durable.
  void SendAfterSync(NodeId to, Message message) {
    if (options.canary == Canary::kReplyBeforeSync) return Send(to, std::move(message));
    ready.messages_after_sync.push_back(Envelope{options.id, to, std::move(message)});
  }
  // Records are built in place: copying a whole variant trips gcc 12's maybe-uninitialized.
  void PersistPromise(Ballot ballot) {
    ready.records.emplace_back(std::in_place_type<PromiseRecord>, PromiseRecord{ballot});
    ready.must_sync = true;
  }
  void PersistAccept(const PValue& pvalue) {
    ready.records.emplace_back(std::in_place_type<AcceptRecord>, AcceptRecord{pvalue});
    ready.must_sync = true;
  }

  // Applied values are logged without a sync of their own: they only spare a restart a fetch.
  // `accepted`: what this node's acceptor holds for the slot (null: nothing); when that is the
  // decided value, the record names it instead of holding a second copy.
  void PersistDecision(Slot slot, const Value& value, const PValue* accepted) {
    if (accepted != nullptr &&
        (accepted->value == value || options.canary == Canary::kDecisionNamesAnyAccept)) {
      ready.records.emplace_back(std::in_place_type<DecisionRecord>,
                                 DecisionRecord{slot, {}, accepted->ballot});
    } else {
      ready.records.emplace_back(std::in_place_type<DecisionRecord>,
                                 DecisionRecord{slot, value, {}});
    }
  }
  void PersistSnapshotMarker(Slot slot, uint64_t hash) {
    ready.records.emplace_back(std::in_place_type<SnapshotRecord>, SnapshotRecord{slot, hash});
    ready.must_sync = true;
  }
  // Hands a snapshot blob (`hash` = SnapshotHash(*blob), which the caller has: a pass over a
  // large state costs the loop milliseconds) to the driver to store, with its marker; replaces
  // one not yet taken.
  void SaveSnapshot(Slot slot, std::shared_ptr<const std::string> blob, uint64_t hash) {
    std::erase_if(ready.records, [](const Record& record) {
      return std::holds_alternative<SnapshotRecord>(record);
    });
    ready.snapshot_save = SnapshotSave{slot, std::move(blob)};
    PersistSnapshotMarker(slot, hash);
  }
  bool HasSnapshot() const { return snapshot_blob != nullptr; }

  CoreOptions options;
  Rng rng;
  // Core::Tick() calls so far: the clock of leader leases (core/leader_lease.h).
  uint64_t ticks = 0;
  Membership membership;
  Ready ready;
  // The newest snapshot this node holds (taken or installed): every accept and decision at or
  // below snapshot_slot is forgotten, and peers that need those slots are offered this blob.
  std::shared_ptr<const std::string> snapshot_blob;
  Slot snapshot_slot = 0;
  uint64_t snapshot_hash = 0;
  // The driver cannot make new records durable (disk full): the acceptor answers nothing and
  // this node does not campaign until space returns (Core::SetDiskFull).
  bool disk_full = false;
  // Restarted and not yet told by enough of the other voters what it may have lost (Recovery):
  // the acceptor answers no Prepare or Accept and this node does not campaign.
  bool recovering = false;
  // A recovery reply pointed into a peer's snapshot: the slots up to here are decided and this
  // acceptor may have lost its votes in them, so it answers no Prepare or Accept that reaches
  // them (its own snapshot passing them later makes the rule moot).
  Slot recovery_floor = 0;
  // Commands refused for being out of bounds (agent/core/command_check.h): by the leader
  // before proposing, and at apply (a decided reconfiguration that cannot be a configuration).
  // Every replica refuses a decided one alike, so applied_refused agrees across replicas.
  uint64_t proposals_refused = 0;
  uint64_t applied_refused = 0;
  // Decided reconfigurations that did not take effect: the configuration they replace had been
  // replaced already (Membership::OnApplied); the same count on every replica.
  uint64_t reconfigs_stale = 0;
};

}  // namespace pifleet::core
