#include "agent/core/replica.h"

#include "agent/base/assert.h"
#include "agent/core/constants.h"

namespace pifleet::core {

void Replica::OnDecision(Slot slot, const Value& value) {
  PIFLEET_ASSERT(slot >= 1);
  auto it = decisions_.find(slot);
  if (it != decisions_.end()) {
    PIFLEET_ASSERT_MSG(it->second == value, "a slot is decided twice with different values");
    return;
  }
  decisions_.emplace(slot, value);
  if (ctx_.options.canary == Canary::kApplyOutOfOrder && slot > slot_out_) {
    Commit(slot, value);  // the unsafe variant: apply now, holes or not
    early_.insert(slot);
  }
  ApplyReady();
}

void Replica::ApplyReady() {
  for (auto it = decisions_.find(slot_out_); it != decisions_.end();
       it = decisions_.find(slot_out_)) {
    if (early_.erase(slot_out_) == 0) Commit(slot_out_, it->second);
    ++slot_out_;
  }
}

void Replica::Commit(Slot slot, const Value& value) {
  ctx_.ready.committed.push_back(Decision{slot, value});
  for (const Command& command : value.commands) {
    if (command.kind == CommandKind::kReconfig) ctx_.membership.OnApplied(slot, command.config);
  }
  requester_.OnDecided(value);
}

void Replica::OnCatchupRequest(NodeId from, const CatchupRequest& request) {
  CatchupReply reply;
  reply.applied_slot = slot_out_ - 1;
  for (auto it = decisions_.lower_bound(request.from_slot);
       it != decisions_.end() && reply.decisions.size() < kCatchupSlotsMax; ++it) {
    reply.decisions.push_back(Decision{it->first, it->second});
  }
  if (!reply.decisions.empty() || reply.applied_slot >= request.from_slot) {
    ctx_.Send(from, std::move(reply));
  }
}

void Replica::OnCatchupReply(NodeId from, const CatchupReply& reply) {
  NotePeerApplied(reply.applied_slot);
  for (const Decision& decision : reply.decisions) OnDecision(decision.slot, decision.value);
  // A full reply means there is more: ask for the next chunk now rather than at the next tick.
  if (reply.decisions.size() == kCatchupSlotsMax && Behind()) {
    ctx_.Send(from, CatchupRequest{slot_out_});
  }
}

void Replica::NotePeerApplied(Slot applied_slot) {
  if (applied_slot > peer_applied_) peer_applied_ = applied_slot;
}

bool Replica::Behind() const {
  return peer_applied_ >= slot_out_ ||
         (!decisions_.empty() && decisions_.rbegin()->first > slot_out_);
}

void Replica::Tick(NodeId leader_hint) {
  if (++catchup_ticks_ < kCatchupTicks) return;
  catchup_ticks_ = 0;
  if (!Behind()) return;
  // Every other request goes to the leader; the rest go round every known node, so a replica
  // whose leader hint is stale (or empty, like a restarted leader's) still finds the decisions.
  NodeId target = leader_hint;
  if (target == 0 || target == ctx_.self() || ++catchup_attempts_ % 2 == 0) {
    const std::vector<NodeId> nodes = ctx_.membership.NodesFrom(1);
    target = nodes[bootstrap_next_++ % nodes.size()];
    if (target == ctx_.self()) target = nodes[bootstrap_next_++ % nodes.size()];
  }
  if (target != ctx_.self()) ctx_.Send(target, CatchupRequest{slot_out_});
}

}  // namespace pifleet::core
