#include "agent/core/acceptor.h"

#include "agent/base/assert.h"
#include "agent/core/constants.h"

namespace pifleet::core {

Acceptor::Acceptor(Context& ctx, const DurableState& restored)
    : ctx_(ctx),
      promised_(restored.promised),
      accepted_(restored.accepted),
      lease_ballot_(restored.promised),
      lease_until_tick_(ctx.ticks + kLeaseTicks) {
  if (ctx_.options.canary == Canary::kForgetPromise) promised_ = Ballot{};
}

void Acceptor::RaisePromise(Ballot ballot) {
  PIFLEET_ASSERT_MSG(ballot >= promised_, "a promise never decreases");
  promised_ = ballot;
}

void Acceptor::Compact(Slot slot) {
  accepted_.erase(accepted_.begin(), accepted_.upper_bound(slot));
}

void Acceptor::OfferSnapshot(NodeId to) {
  ctx_.Send(to, SnapshotOffer{ctx_.snapshot_slot, ctx_.snapshot_blob->size(), ctx_.snapshot_hash});
}

bool Acceptor::Silent(Slot slot) const {
  return ctx_.disk_full || ctx_.recovering ||
         (slot <= ctx_.recovery_floor && slot > ctx_.snapshot_slot);
}

void Acceptor::Adopt(const Promise& reply) {
  // Recorded like its own: every later vote reveals them, and a later restart keeps them.
  if (reply.promised > promised_) {
    RaisePromise(reply.promised);
    ctx_.PersistPromise(promised_);
  }
  for (const PValue& pvalue : reply.accepted) {
    if (pvalue.slot <= ctx_.snapshot_slot) continue;
    auto it = accepted_.find(pvalue.slot);
    if (it != accepted_.end() && it->second.ballot >= pvalue.ballot) continue;
    ctx_.PersistAccept(pvalue);
    accepted_[pvalue.slot] = pvalue;
  }
}

void Acceptor::AnswerRecoveryQuery(NodeId from, const Prepare& query) {
  if (query.ballot.node == 0 || from == ctx_.self()) return;
  if (ctx_.HasSnapshot() && query.from_slot <= ctx_.snapshot_slot) return OfferSnapshot(from);
  // Sent at once: what it reveals needs no sync, as adopting it only makes the asker stricter.
  Promise reply{query.ballot, promised_, {}};
  size_t bytes = 0;
  for (auto it = accepted_.lower_bound(query.from_slot);
       it != accepted_.end() && reply.accepted.size() < kRecoveryPValuesMax &&
       bytes < kBatchBytesMax;
       ++it) {
    reply.accepted.push_back(it->second);
    for (const Command& command : it->second.value.commands) bytes += command.payload.size();
  }
  ctx_.Send(from, std::move(reply));
}

void Acceptor::OnPrepare(NodeId from, const Prepare& prepare) {
  if (prepare.ballot.round == 0) return AnswerRecoveryQuery(from, prepare);
  if (ctx_.disk_full || ctx_.recovering) return;
  // A lease it granted still runs: the scout asks again (kRetransmitTicks) and gets its answer
  // once the lease has run out, which is before its node could suspect a dead leader.
  if (LeaseRuns() && prepare.ballot > lease_ballot_) return;
  // What this acceptor accepted at or below its snapshot is gone, so it must not promise as if
  // it had accepted nothing there: the scout waits until its node has caught up past the
  // snapshot and asks again from there.
  if (ctx_.HasSnapshot() && prepare.from_slot <= ctx_.snapshot_slot) return OfferSnapshot(from);
  if (Silent(prepare.from_slot)) return;
  if (prepare.ballot > promised_) {
    RaisePromise(prepare.ballot);
    ctx_.PersistPromise(promised_);
  }
  Promise reply{prepare.ballot, promised_, {}};
  if (promised_ == prepare.ballot) {
    for (auto it = accepted_.lower_bound(prepare.from_slot); it != accepted_.end(); ++it) {
      reply.accepted.push_back(it->second);
    }
  }
  ctx_.SendAfterSync(from, std::move(reply));
}

void Acceptor::OnLeaseRequest(NodeId from, const Active& active) {
  // A recovering acceptor may have lost a higher promise, and a grant is a promise about it.
  if (ctx_.disk_full || ctx_.recovering || active.ballot < promised_) return;
  if (LeaseRuns() && active.ballot < lease_ballot_) return;
  lease_ballot_ = active.ballot;
  lease_until_tick_ = ctx_.ticks + kLeaseTicks;
  ctx_.Send(from, LeaseGrant{active.ballot, active.lease_stamp});
}

void Acceptor::OnAccept(NodeId from, const Accept& accept) {
  if (ctx_.disk_full || ctx_.recovering) return;
  // A slot inside the snapshot is decided; the sender is behind and learns so from the offer.
  if (ctx_.HasSnapshot() && accept.slot <= ctx_.snapshot_slot) return OfferSnapshot(from);
  if (Silent(accept.slot)) return;
  if (accept.ballot >= promised_) {
    // The accept implies the promise, but the WAL compacts accepts below a snapshot and keeps
    // only the newest promise record: a raised promise gets a record of its own.
    if (accept.ballot > promised_) ctx_.PersistPromise(accept.ballot);
    RaisePromise(accept.ballot);
    PValue pvalue{accept.ballot, accept.slot, accept.value};
    auto it = accepted_.find(accept.slot);
    PIFLEET_ASSERT(it == accepted_.end() || it->second.ballot <= accept.ballot);
    ctx_.PersistAccept(pvalue);
    accepted_[accept.slot] = std::move(pvalue);
  }
  ctx_.SendAfterSync(from, Accepted{accept.ballot, accept.slot, promised_});
}

}  // namespace pifleet::core
