#include "agent/core/replica.h"

#include <memory>
#include <utility>

#include "agent/base/assert.h"
#include "agent/core/constants.h"
#include "agent/core/snapshot.h"

namespace pifleet::core {

void Replica::OnDecision(Slot slot, const Value& value) {
  PIFLEET_ASSERT(slot >= 1);
  if (slot <= ctx_.snapshot_slot) return;  // inside the snapshot: applied and forgotten
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
  PIFLEET_ASSERT(Decided(slot));  // postcondition: a decision is never lost on the way in
}

void Replica::ApplyReady() {
  const Slot before = slot_out_;
  for (auto it = decisions_.find(slot_out_); it != decisions_.end();
       it = decisions_.find(slot_out_)) {
    if (early_.erase(slot_out_) == 0) Commit(slot_out_, it->second);
    ++slot_out_;
  }
  // Postconditions: slot_out only grows, and stops at the first slot not yet decided.
  PIFLEET_ASSERT(slot_out_ >= before);
  PIFLEET_ASSERT(decisions_.count(slot_out_) == 0);
}

void Replica::Commit(Slot slot, const Value& value) {
  // The paper's replica performs decisions in slot order, each slot once: slot_out is the only
  // slot that may be applied (the out-of-order canary breaks this on purpose).
  PIFLEET_ASSERT(slot == slot_out_ || ctx_.options.canary == Canary::kApplyOutOfOrder);
  PIFLEET_ASSERT(slot > ctx_.snapshot_slot);
  ctx_.ready.committed.push_back(Decision{slot, value});
  if (!replaying_) ctx_.PersistDecision(slot, value, acceptor_.AcceptedAt(slot));
  for (const Command& command : value.commands) {
    if (command.kind != CommandKind::kReconfig) continue;
    const Membership::Outcome outcome = ctx_.membership.OnApplied(slot, command);
    ctx_.ready.reconfigs_took_effect.push_back(outcome == Membership::Outcome::kApplied);
    switch (outcome) {
      case Membership::Outcome::kApplied:
        break;
      case Membership::Outcome::kRefused:
        ++ctx_.applied_refused;
        break;
      case Membership::Outcome::kStale:
        ++ctx_.reconfigs_stale;
        break;
    }
  }
  requester_.OnDecided(value);
}

void Replica::OfferSnapshot(NodeId to) {
  ctx_.Send(to, SnapshotOffer{ctx_.snapshot_slot, ctx_.snapshot_blob->size(), ctx_.snapshot_hash});
}

void Replica::OnCatchupRequest(NodeId from, const CatchupRequest& request) {
  if (ctx_.HasSnapshot() && request.from_slot <= ctx_.snapshot_slot) return OfferSnapshot(from);
  CatchupReply reply;
  reply.applied_slot = slot_out_ - 1;
  size_t bytes = 0;  // payload bytes, so that the reply stays within one fragmented message
  for (auto it = decisions_.lower_bound(request.from_slot);
       it != decisions_.end() && reply.decisions.size() < kCatchupSlotsMax; ++it) {
    size_t value_bytes = 0;
    for (const Command& command : it->second.commands) value_bytes += command.payload.size();
    if (!reply.decisions.empty() && bytes + value_bytes > kCatchupBytesMax) break;
    bytes += value_bytes;
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
  if (reply.decisions.size() == kCatchupSlotsMax && Behind() && !pull_.active()) {
    ctx_.Send(from, CatchupRequest{slot_out_});
  }
}

void Replica::OnSnapshotOffer(NodeId from, const SnapshotOffer& offer) {
  NotePeerApplied(offer.slot);
  if (offer.slot < slot_out_ || offer.bytes == 0 || offer.bytes > kSnapshotBytesMax) return;
  if (pull_.active() && pull_.offer().slot >= offer.slot) return;
  pull_.Start(from, offer);
  RequestChunks(/*retransmit=*/false);
}

void Replica::RequestChunks(bool retransmit) {
  for (uint64_t index : pull_.Requests(retransmit)) {
    ctx_.Send(pull_.source(), SnapshotChunkRequest{pull_.offer().slot, index});
  }
}

void Replica::OnSnapshotChunkRequest(NodeId from, const SnapshotChunkRequest& request) {
  if (!ctx_.HasSnapshot()) return;
  if (request.slot != ctx_.snapshot_slot) return OfferSnapshot(from);  // a newer one replaced it
  const uint64_t offset = request.index * kSnapshotChunkBytes;
  if (request.index >= kSnapshotBytesMax / kSnapshotChunkBytes ||
      offset >= ctx_.snapshot_blob->size()) {
    return;
  }
  ctx_.Send(from, SnapshotChunk{ctx_.snapshot_slot, request.index,
                                ctx_.snapshot_blob->substr(offset, kSnapshotChunkBytes)});
}

void Replica::OnSnapshotChunk(NodeId from, const SnapshotChunk& chunk) {
  if (!pull_.active() || from != pull_.source()) return;
  pull_.OnChunk(chunk);
  if (!pull_.complete()) return RequestChunks(/*retransmit=*/false);
  const uint64_t hash = pull_.offer().hash;
  auto blob = std::make_shared<const std::string>(pull_.TakeBlob());
  if (SnapshotHash(*blob) == hash) Install(std::move(blob), hash, /*durable=*/false);
}

bool Replica::Install(std::shared_ptr<const std::string> blob, uint64_t hash, bool durable) {
  SnapshotMeta meta;
  std::string app_bytes;
  if (!DecodeSnapshot(*blob, &meta, &app_bytes) || meta.slot < slot_out_) return false;
  const Slot before = slot_out_;
  // Whatever this Ready was about to apply is older than the snapshot, which replaces it.
  ctx_.ready.committed.clear();
  ctx_.ready.reconfigs_took_effect.clear();
  decisions_.erase(decisions_.begin(), decisions_.upper_bound(meta.slot));
  early_.erase(early_.begin(), early_.upper_bound(meta.slot));
  slot_out_ = meta.slot + 1;
  ctx_.membership.Restore(std::move(meta.configs));
  ctx_.snapshot_blob = blob;
  ctx_.snapshot_slot = meta.slot;
  ctx_.snapshot_hash = hash;
  if (!durable) ctx_.SaveSnapshot(meta.slot, std::move(blob), hash);
  ctx_.ready.install = SnapshotInstall{meta.slot, std::move(app_bytes)};
  ApplyReady();
  PIFLEET_ASSERT(slot_out_ > meta.slot && slot_out_ >= before);  // never moves back
  return true;
}

void Replica::Restore(std::shared_ptr<const std::string> blob,
                      const std::map<Slot, Value>& decisions) {
  const uint64_t hash = SnapshotHash(*blob);
  PIFLEET_ASSERT_MSG(Install(std::move(blob), hash, /*durable=*/true),
                     "a restored snapshot must decode");
  replaying_ = true;
  for (const auto& [slot, value] : decisions) OnDecision(slot, value);
  replaying_ = false;
}

void Replica::CompactTo(Slot slot) {
  PIFLEET_ASSERT(slot < slot_out_);
  decisions_.erase(decisions_.begin(), decisions_.upper_bound(slot));
}

void Replica::NotePeerApplied(Slot applied_slot) {
  if (applied_slot > peer_applied_) peer_applied_ = applied_slot;
}

bool Replica::Behind() const {
  return peer_applied_ >= slot_out_ ||
         (!decisions_.empty() && decisions_.rbegin()->first > slot_out_);
}

uint32_t Replica::TicksUntilDue(NodeId leader_hint) const {
  if (!pull_.active() && !Behind() && leader_hint != 0) return kNoDeadline;
  return TicksUntilCount(catchup_ticks_, kCatchupTicks);
}

void Replica::Tick(NodeId leader_hint) {
  if (++catchup_ticks_ < kCatchupTicks) return;
  catchup_ticks_ = 0;
  if (pull_.active()) {
    if (pull_.StillHopeful()) return RequestChunks(/*retransmit=*/true);
    pull_.Reset();  // the source went quiet: catch up from whoever answers next
  }
  // With no leader known, a node may be behind without knowing it: its log may still name it a
  // learner of an old configuration, so it never campaigns, and the only nodes that know better
  // are waiting for a leader too. It asks round the known nodes until someone leads again.
  if (!Behind() && leader_hint != 0) return;
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
