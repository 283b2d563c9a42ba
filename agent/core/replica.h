// Replica: learns decisions, hands them out in slot order (Ready::committed), applies
// reconfigurations to the membership history, and catches up on decisions it missed by asking
// the leader (or, knowing none, each voter in turn: the Bootstrap path of a new or restarted
// node). Decided values above the node's snapshot are kept to answer other replicas' catch-up
// requests; a request below the snapshot is answered with an offer of the snapshot, which the
// asker pulls in chunks (SnapshotPull) and installs.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "agent/core/acceptor.h"
#include "agent/core/context.h"
#include "agent/core/message.h"
#include "agent/core/requester.h"
#include "agent/core/snapshot_pull.h"

namespace pifleet::core {

class Replica {
 public:
  // `acceptor`: this node's, whose accepted values its decision records may name.
  Replica(Context& ctx, Requester& requester, const Acceptor& acceptor)
      : ctx_(ctx), requester_(requester), acceptor_(acceptor) {}

  void OnDecision(Slot slot, const Value& value);
  void OnCatchupRequest(NodeId from, const CatchupRequest& request);
  void OnCatchupReply(NodeId from, const CatchupReply& reply);
  void OnSnapshotOffer(NodeId from, const SnapshotOffer& offer);
  void OnSnapshotChunkRequest(NodeId from, const SnapshotChunkRequest& request);
  void OnSnapshotChunk(NodeId from, const SnapshotChunk& chunk);
  // Another node has applied up to `applied_slot` (heartbeats and catch-up replies).
  void NotePeerApplied(Slot applied_slot);
  void Tick(NodeId leader_hint);
  // The Tick() call that may ask for decisions or chunks (constants.h: kNoDeadline when this
  // replica is neither behind, pulling, nor without a leader).
  uint32_t TicksUntilDue(NodeId leader_hint) const;

  // A restarted node: the state is `blob`'s (already durable), then `decisions` from its log.
  void Restore(std::shared_ptr<const std::string> blob, const std::map<Slot, Value>& decisions);
  // The driver snapshotted the state at slot_out() - 1: forget the decisions it covers.
  void CompactTo(Slot slot);

  Slot slot_out() const { return slot_out_; }  // next slot to apply
  bool Decided(Slot slot) const { return slot < slot_out_ || decisions_.count(slot) != 0; }
  const std::map<Slot, Value>& decisions() const { return decisions_; }
  bool pulling() const { return pull_.active(); }

 private:
  bool Behind() const;
  void ApplyReady();
  void Commit(Slot slot, const Value& value);
  void OfferSnapshot(NodeId to);
  void RequestChunks(bool retransmit);
  // Installs a complete, verified blob whose SnapshotHash is `hash` (shared, not copied: it is
  // the one the core serves); `durable` when it came from this node's own disk.
  bool Install(std::shared_ptr<const std::string> blob, uint64_t hash, bool durable);

  Context& ctx_;
  Requester& requester_;
  const Acceptor& acceptor_;
  std::map<Slot, Value> decisions_;
  Slot slot_out_ = 1;
  Slot peer_applied_ = 0;
  uint32_t catchup_ticks_ = 0;
  std::set<Slot> early_;  // only the out-of-order canary commits ahead of slot_out_
  size_t bootstrap_next_ = 0;
  uint32_t catchup_attempts_ = 0;  // which voter to ask when no leader is known
  SnapshotPull pull_;
  bool replaying_ = false;  // restoring from the log: do not log the decisions again
};

}  // namespace pifleet::core
