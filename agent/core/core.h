// The pure Multi-Paxos core of one node: Acceptor, Replica, Leader (Scout + Commanders) and
// Requester over one Context. It does no I/O and reads no clock; the driver feeds it
//   Tick()               one tick of logical time (the daemon: every kTickMs),
//   Receive(envelope)    a message from a peer (or from itself),
//   Propose(command)     a client command,
// and after any of them handles TakeReady() (see ready.h for the order) and calls Advance().
// A restarted node is built from the DurableState folded from its synced records.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/core/acceptor.h"
#include "agent/core/context.h"
#include "agent/core/leader.h"
#include "agent/core/recovery.h"
#include "agent/core/replica.h"
#include "agent/core/requester.h"
#include "agent/core/snapshot.h"

namespace pifleet::core {

class Core {
 public:
  // `snapshot`: the newest snapshot blob on this node's disk (required when restored has a
  // snapshot marker; at or above restored.snapshot_slot). Its state comes back to the driver as
  // the first Ready's `install`, followed by the decisions of `restored` above it.
  explicit Core(const CoreOptions& options, const DurableState& restored = DurableState{},
                const std::shared_ptr<const std::string>& snapshot = nullptr);
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  void Tick();
  // How many Tick() calls from now until the first one that may produce anything (a message,
  // a record, a mode change); the ones before it only count. A driver with nothing else to do
  // may sleep that long and then run the calls back to back (constants.h: kNoDeadline, none
  // without input). Input changes the answer: ask again after Receive() or Propose().
  uint32_t TicksUntilDue() const;
  void Receive(const Envelope& envelope);
  // Accepts the command for ordering; NoSpace when too many proposals are in flight.
  Status Propose(const Command& command);
  // A driver with several inputs ready at once (the agent's socket under load) may bracket them
  // with BeginBurst() and EndBurst(): the commands that Receive() and Propose() queue in between
  // take their slots at EndBurst(), up to kBatchCommandsMax to a slot. Outside a burst each
  // command takes the first free slot of the window as it comes, alone under light load, and
  // each slot costs an Accept, an Accepted and a Decision per voter and a record on each disk.
  // Tick() starts slots as always; nothing else waits for EndBurst().
  void BeginBurst() { in_burst_ = true; }
  void EndBurst();

  // The driver has applied every slot up to `slot` (= AppliedSlot()) and `app_bytes` is its
  // state machine's snapshot there. The core forgets decisions and accepted values at or below
  // `slot`, keeps the blob to serve peers, and hands it out as Ready::snapshot_save with its
  // marker record. InvalidArgument unless slot == AppliedSlot() > SnapshotSlot().
  Status TakeSnapshot(Slot slot, std::string_view app_bytes);
  // The same with the blob built by the driver (core/snapshot.h, BeginSnapshotBlob with
  // SnapshotMetaAt(slot)), so that a large state is written once, into a buffer it may reuse.
  Status TakeSnapshotBlob(Slot slot, std::shared_ptr<const std::string> blob);
  // What a snapshot at `slot` carries besides the state machine's bytes.
  SnapshotMeta SnapshotMetaAt(Slot slot) const;

  // The driver's disk is full (a sync failed with NoSpace) or has space again. While full this
  // node stops voting: its acceptor answers no Prepare or Accept and records nothing, it starts
  // no campaign and drops one in progress. An active leader keeps leading (its ballot is
  // durable) with the other voters' acks; decisions still arrive and are applied, so the node
  // keeps serving reads. Nothing already acknowledged depends on records still queued.
  void SetDiskFull(bool full);

  // Lease reads (docs/consensus.md, "Lease reads"; core/leader_lease.h). A driver with a read
  // to answer from this node's state calls WantLease() (the leader asks for grants), takes
  // HighestDecidedSlot() as the read's index, and answers once LeaseReadable(index) holds; it
  // must have run every tick due by its clock when it asks (a tick late makes the lease look
  // longer than it is), and calls DropLease() when its ticks fell behind for good.
  void WantLease() { leader_.WantLease(); }
  bool LeaseReadable(Slot read_index) const { return leader_.LeaseReadable(read_index); }
  void DropLease() { leader_.DropLease(); }

  // Restart recovery (core/recovery.h) is still waiting for the other voters: no votes yet.
  bool Recovering() const { return ctx_.recovering; }

  bool HasReady() const { return !ctx_.ready.Empty(); }
  // Hands out everything produced since the last call. Must be followed by Advance().
  Ready TakeReady();
  void Advance();

  // Read-only views for status reporting and the simulator's checkers.
  NodeId id() const { return ctx_.self(); }
  bool IsLeader() const { return leader_.active(); }
  NodeId LeaderHint() const { return leader_.leader_hint(); }
  // Nonzero once this node, leading, saw a configuration without it as a voter take effect at
  // that slot and stepped down.
  Slot SteppedDownAt() const { return leader_.stepped_down_at(); }
  Ballot Promised() const { return acceptor_.promised(); }
  Slot AppliedSlot() const { return replica_.slot_out() - 1; }
  // Decisions can arrive above a gap that catch-up has not filled yet.
  Slot HighestDecidedSlot() const {
    const auto& decisions = replica_.decisions();
    return decisions.empty() ? AppliedSlot() : std::max(AppliedSlot(), decisions.rbegin()->first);
  }
  const Membership& membership() const { return ctx_.membership; }
  Slot SnapshotSlot() const { return ctx_.snapshot_slot; }
  // Bounded-memory checks: what the roles still hold.
  size_t DecisionsHeld() const { return replica_.decisions().size(); }
  size_t AcceptedHeld() const { return acceptor_.accepted().size(); }
  bool PullingSnapshot() const { return replica_.pulling(); }
  // Commands refused as out of bounds (agent/core/command_check.h): by the leader before
  // proposing, and decided ones at apply (the same count on every replica).
  uint64_t ProposalsRefused() const { return ctx_.proposals_refused; }
  uint64_t AppliedRefused() const { return ctx_.applied_refused; }
  uint64_t ReconfigsStale() const { return ctx_.reconfigs_stale; }

 private:
  void Forward(const std::vector<Command>& commands);
  // After an input: the leader starts what it can, or inside a burst remembers to.
  void PumpUnlessBurst();
  // Hands every outstanding command to a leader first seen leading (its Accept or Active, or
  // this node once it leads), instead of waiting up to kRequestRetransmitTicks: after a
  // failover, the commands sent to the dead leader go to the new one as soon as it leads. A
  // candidate's Prepare is not enough: a node that is not active drops requests.
  void ForwardToNewLeader(Ballot leading);
  void CompactRoles();
  void OnRecoveryReply(NodeId from, const Promise& reply);

  Context ctx_;
  Acceptor acceptor_;
  Requester requester_;
  Replica replica_;
  Leader leader_;
  Recovery recovery_;
  bool ready_outstanding_ = false;
  bool in_burst_ = false;
  bool pump_held_ = false;   // an input inside the burst left the leader's Pump() for later
  Ballot forwarded_ballot_;  // the newest leading ballot ForwardToNewLeader() forwarded to
};

}  // namespace pifleet::core
