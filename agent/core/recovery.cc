#include "agent/core/recovery.h"

#include <algorithm>

#include "agent/core/constants.h"

namespace pifleet::core {

void Recovery::Start(Slot from_slot, Slot slot_out) {
  ctx_.recovering = true;
  nonce_ = 0;
  while (nonce_ == 0) nonce_ = ctx_.rng.Next();  // a reply to an earlier life is not counted
  next_from_.clear();
  complete_.clear();
  ticks_ = 0;
  for (NodeId voter : ctx_.membership.ForSlot(slot_out).voters) {
    if (voter != ctx_.self()) Query(voter, from_slot);
  }
  MaybeFinish(slot_out);
}

void Recovery::Query(NodeId to, Slot from_slot) {
  Slot& next = next_from_[to];
  next = std::max(next, from_slot);
  ctx_.Send(to, Prepare{Ballot{0, nonce_}, next});
}

void Recovery::Tick(Slot from_slot, Slot slot_out) {
  if (!ctx_.recovering || ++ticks_ < kRetransmitTicks) return;
  ticks_ = 0;
  MaybeFinish(slot_out);  // the configuration may have changed
  if (!ctx_.recovering) return;
  for (NodeId voter : ctx_.membership.ForSlot(slot_out).voters) {
    if (voter != ctx_.self() && complete_.count(voter) == 0) Query(voter, from_slot);
  }
}

bool Recovery::OnReply(NodeId from, const Promise& reply, Slot from_slot) {
  if (!ctx_.recovering || reply.ballot != Ballot{0, nonce_} || from == ctx_.self()) return false;
  if (reply.accepted.empty()) {
    complete_.insert(from);
  } else {
    Slot last = 0;
    for (const PValue& pvalue : reply.accepted) last = std::max(last, pvalue.slot);
    Query(from, std::max(from_slot, last + 1));
  }
  return true;
}

void Recovery::OnOffer(NodeId from, const SnapshotOffer& offer) {
  if (!ctx_.recovering || from == ctx_.self() || next_from_.count(from) == 0) return;
  ctx_.recovery_floor = std::max(ctx_.recovery_floor, offer.slot);
  Query(from, offer.slot + 1);
}

void Recovery::MaybeFinish(Slot slot_out) {
  if (!ctx_.recovering) return;
  const Config& config = ctx_.membership.ForSlot(slot_out);
  const size_t voters = config.voters.size();
  size_t needed = 0;
  // A quorum (n/2 + 1 of n voters) that counted a vote of this node holds n/2 of the n - 1
  // others; any n - n/2 of the others include one of them, who remembers what it voted for.
  if (config.IsVoter(ctx_.self()) && voters > 1) needed = voters - voters / 2;
  size_t complete = 0;
  for (NodeId voter : config.voters) complete += complete_.count(voter);
  if (complete >= needed) ctx_.recovering = false;
}

}  // namespace pifleet::core
