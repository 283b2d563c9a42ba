#include "agent/core/core.h"

#include <utility>

#include "agent/base/assert.h"

namespace pifleet::core {

Core::Core(const CoreOptions& options, const DurableState& restored,
           const std::shared_ptr<const std::string>& snapshot)
    : ctx_(options),
      acceptor_(ctx_, restored),
      replica_(ctx_, requester_, acceptor_),
      leader_(ctx_, replica_, restored.promised),
      recovery_(ctx_) {
  PIFLEET_ASSERT(options.id != 0);
  PIFLEET_ASSERT(options.batch_commands_max >= 1 &&
                 options.batch_commands_max <= kBatchCommandsMax);
  PIFLEET_ASSERT(options.election_ticks_min < options.election_ticks_max);
  PIFLEET_ASSERT_MSG(restored.snapshot_slot == 0 || snapshot != nullptr,
                     "a log with a snapshot marker needs its snapshot");
  if (snapshot != nullptr) {
    replica_.Restore(snapshot, restored.decisions);
    PIFLEET_ASSERT_MSG(ctx_.snapshot_slot >= restored.snapshot_slot,
                       "the snapshot is older than the log's marker");
    CompactRoles();
  } else {
    for (const auto& [slot, value] : restored.decisions) replica_.OnDecision(slot, value);
    ctx_.ready.records.clear();  // those decisions are in the log already
  }
  if (options.recover_on_start && options.canary != Canary::kVoteAfterLoss) {
    recovery_.Start(ctx_.snapshot_slot + 1, replica_.slot_out());
  }
}

void Core::OnRecoveryReply(NodeId from, const Promise& reply) {
  if (!recovery_.OnReply(from, reply, ctx_.snapshot_slot + 1, replica_.slot_out())) return;
  acceptor_.Adopt(reply);
  leader_.NoteBallot(reply.promised);
  recovery_.MaybeFinish(replica_.slot_out());
}

void Core::CompactRoles() {
  if (ctx_.snapshot_slot == 0) return;
  acceptor_.Compact(ctx_.snapshot_slot);
  ctx_.membership.DropBefore(ctx_.snapshot_slot + 1);
}

Status Core::TakeSnapshot(Slot slot, std::string_view app_bytes) {
  return TakeSnapshotBlob(
      slot, std::make_shared<const std::string>(EncodeSnapshot(SnapshotMetaAt(slot), app_bytes)));
}

SnapshotMeta Core::SnapshotMetaAt(Slot slot) const {
  return SnapshotMeta{slot, ctx_.membership.EntriesFrom(slot + 1)};
}

Status Core::TakeSnapshotBlob(Slot slot, std::shared_ptr<const std::string> blob) {
  if (slot != AppliedSlot() || slot <= ctx_.snapshot_slot) {
    return Status::InvalidArgument("snapshot slot " + std::to_string(slot) +
                                   " is not the applied slot " + std::to_string(AppliedSlot()) +
                                   " above the last snapshot " +
                                   std::to_string(ctx_.snapshot_slot));
  }
  // The header up to the state machine bytes' length is the core's own: the driver built it.
  std::string header;
  const size_t meta_bytes = BeginSnapshotBlob(SnapshotMetaAt(slot), &header) - sizeof(uint64_t);
  PIFLEET_ASSERT_MSG(std::string_view(*blob).substr(0, meta_bytes) == header.substr(0, meta_bytes),
                     "a snapshot blob must start with SnapshotMetaAt(slot)");
  ctx_.snapshot_blob = blob;
  ctx_.snapshot_slot = slot;
  ctx_.snapshot_hash = SnapshotHash(*blob);
  ctx_.SaveSnapshot(slot, std::move(blob), ctx_.snapshot_hash);
  replica_.CompactTo(slot);
  CompactRoles();
  return Status::Ok();
}

void Core::SetDiskFull(bool full) {
  ctx_.disk_full = full;
  if (full) leader_.StopScouting();
}

uint32_t Core::TicksUntilDue() const {
  if (pump_held_) return 1;  // the next tick runs what the burst holds back
  return std::min({recovery_.TicksUntilDue(), leader_.TicksUntilDue(),
                   replica_.TicksUntilDue(leader_.leader_hint()), requester_.TicksUntilDue()});
}

void Core::Tick() {
  // The promise TicksUntilDue() gives a sleeping driver, checked on every tick (the simulator's
  // seeds included): a tick it called quiet produces nothing.
  const bool quiet = TicksUntilDue() > 1 && !HasReady();
  ++ctx_.ticks;
  recovery_.Tick(ctx_.snapshot_slot + 1, replica_.slot_out());
  leader_.Tick();
  replica_.Tick(leader_.leader_hint());
  if (requester_.TickDue()) Forward(requester_.Outstanding());
  leader_.Pump();
  pump_held_ = false;
  PIFLEET_ASSERT(!quiet || !HasReady());
}

void Core::Receive(const Envelope& envelope) {
  PIFLEET_ASSERT(envelope.to == ctx_.self());
  const NodeId from = envelope.from;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Prepare>) {
          if (m.ballot.round != 0) leader_.ObserveBallot(from, m.ballot);  // 0: recovery query
          acceptor_.OnPrepare(from, m);
        } else if constexpr (std::is_same_v<T, Promise>) {
          if (m.ballot.round == 0) return OnRecoveryReply(from, m);
          leader_.OnPromise(from, m);
        } else if constexpr (std::is_same_v<T, Accept>) {
          leader_.ObserveBallot(from, m.ballot);
          acceptor_.OnAccept(from, m);
          if (from == m.ballot.node) ForwardToNewLeader(m.ballot);
        } else if constexpr (std::is_same_v<T, Accepted>) {
          leader_.OnAccepted(from, m);
        } else if constexpr (std::is_same_v<T, Decision>) {
          replica_.OnDecision(m.slot, m.value);
        } else if constexpr (std::is_same_v<T, Active>) {
          leader_.OnActive(from, m);
          ForwardToNewLeader(m.ballot);
          if (m.lease_stamp != 0) acceptor_.OnLeaseRequest(from, m);
          if (from != ctx_.self()) replica_.NotePeerApplied(m.applied_slot);
        } else if constexpr (std::is_same_v<T, Request>) {
          leader_.Enqueue(m.commands);
        } else if constexpr (std::is_same_v<T, CatchupRequest>) {
          replica_.OnCatchupRequest(from, m);
        } else if constexpr (std::is_same_v<T, CatchupReply>) {
          replica_.OnCatchupReply(from, m);
        } else if constexpr (std::is_same_v<T, SnapshotOffer>) {
          recovery_.OnOffer(from, m);
          replica_.OnSnapshotOffer(from, m);
        } else if constexpr (std::is_same_v<T, SnapshotChunkRequest>) {
          replica_.OnSnapshotChunkRequest(from, m);
        } else if constexpr (std::is_same_v<T, SnapshotChunk>) {
          replica_.OnSnapshotChunk(from, m);
        } else {
          static_assert(std::is_same_v<T, LeaseGrant>);
          leader_.OnLeaseGrant(from, m);
        }
      },
      envelope.message);
  if (leader_.active()) ForwardToNewLeader(leader_.ballot());  // it won its election here
  CompactRoles();
  PumpUnlessBurst();
}

Status Core::Propose(const Command& command) {
  Status status = requester_.Add(command);
  if (status.ok()) {
    Forward({command});
    PumpUnlessBurst();
  }
  return status;
}

void Core::EndBurst() {
  in_burst_ = false;
  pump_held_ = false;
  leader_.Pump();
}

void Core::PumpUnlessBurst() {
  if (in_burst_) {
    pump_held_ = true;
  } else {
    leader_.Pump();
  }
}

void Core::Forward(const std::vector<Command>& commands) {
  if (leader_.active()) {
    leader_.Enqueue(commands);
  } else if (leader_.leader_hint() != 0 && leader_.leader_hint() != ctx_.self()) {
    ctx_.Send(leader_.leader_hint(), Request{commands});
  }
}

void Core::ForwardToNewLeader(Ballot leading) {
  if (!(forwarded_ballot_ < leading)) return;
  // Only the ballot the leader hint names: an older leader's late Active forwards nothing.
  if (leading.node != (leader_.active() ? ctx_.self() : leader_.leader_hint())) return;
  forwarded_ballot_ = leading;
  if (requester_.size() > 0) Forward(requester_.Outstanding());
}

Ready Core::TakeReady() {
  PIFLEET_ASSERT_MSG(!ready_outstanding_, "TakeReady twice without Advance");
  ready_outstanding_ = true;
  return std::exchange(ctx_.ready, Ready{});
}

void Core::Advance() {
  PIFLEET_ASSERT_MSG(ready_outstanding_, "Advance without TakeReady");
  ready_outstanding_ = false;
}

}  // namespace pifleet::core
