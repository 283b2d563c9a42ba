// Replica: learns decisions, hands them out in slot order (Ready::committed), applies
// reconfigurations to the membership history, and catches up on decisions it missed by asking
// the leader (or, knowing none, each voter in turn: the Bootstrap path of a new or restarted
// node). Decided values are kept to answer other replicas' catch-up requests.
#pragma once

#include <map>
#include <set>

#include "agent/core/context.h"
#include "agent/core/message.h"
#include "agent/core/requester.h"

namespace pifleet::core {

class Replica {
 public:
  Replica(Context& ctx, Requester& requester) : ctx_(ctx), requester_(requester) {}

  void OnDecision(Slot slot, const Value& value);
  void OnCatchupRequest(NodeId from, const CatchupRequest& request);
  void OnCatchupReply(NodeId from, const CatchupReply& reply);
  // Another node has applied up to `applied_slot` (heartbeats and catch-up replies).
  void NotePeerApplied(Slot applied_slot);
  void Tick(NodeId leader_hint);

  Slot slot_out() const { return slot_out_; }  // next slot to apply
  bool Decided(Slot slot) const { return decisions_.count(slot) != 0; }
  const std::map<Slot, Value>& decisions() const { return decisions_; }

 private:
  bool Behind() const;
  void ApplyReady();
  void Commit(Slot slot, const Value& value);

  Context& ctx_;
  Requester& requester_;
  std::map<Slot, Value> decisions_;
  Slot slot_out_ = 1;
  Slot peer_applied_ = 0;
  uint32_t catchup_ticks_ = 0;
  std::set<Slot> early_;  // only the out-of-order canary commits ahead of slot_out_
  size_t bootstrap_next_ = 0;
  uint32_t catchup_attempts_ = 0;  // which voter to ask when no leader is known
};

}  // namespace pifleet::core
