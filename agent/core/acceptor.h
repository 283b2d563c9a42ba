// Acceptor: makes promises and accepts proposals. Its promise and accepted values are persisted
// (Ready::records) and its replies leave only after they are durable (messages_after_sync).
// Below the node's snapshot it has forgotten what it accepted: a Prepare or Accept reaching
// there is answered with a SnapshotOffer instead (those slots are decided; the asker is behind).
// While the disk is full it does not vote: Prepare and Accept go unanswered, and nothing changes.
// Nor while it recovers after a restart (core/recovery.h).
#pragma once

#include <map>

#include "agent/core/context.h"
#include "agent/core/durable.h"
#include "agent/core/message.h"

namespace pifleet::core {

class Acceptor {
 public:
  Acceptor(Context& ctx, const DurableState& restored);

  // A Prepare at round 0 is a recovery query (core/recovery.h), answered even while this node
  // is recovering or its disk is full: it records nothing.
  void OnPrepare(NodeId from, const Prepare& prepare);
  void OnAccept(NodeId from, const Accept& accept);
  // A stamped heartbeat asks for a lease grant (core/leader_lease.h): granted unless this
  // acceptor promised a higher ballot, granted one still running, or cannot vote.
  void OnLeaseRequest(NodeId from, const Active& active);
  // Forgets accepted values at or below `slot` (decided and inside a snapshot).
  void Compact(Slot slot);
  // Recovery: takes a peer's higher promise and, per slot, its higher-ballot accepted values,
  // and records them like its own.
  void Adopt(const Promise& reply);
  Ballot promised() const { return promised_; }
  const std::map<Slot, PValue>& accepted() const { return accepted_; }
  // The accepted value at `slot`, or null.
  const PValue* AcceptedAt(Slot slot) const {
    auto it = accepted_.find(slot);
    return it == accepted_.end() ? nullptr : &it->second;
  }

 private:
  void RaisePromise(Ballot ballot);
  void OfferSnapshot(NodeId to);
  void AnswerRecoveryQuery(NodeId from, const Prepare& query);
  // Votes are withheld while the disk is full, during recovery, and in the recovery floor.
  bool Silent(Slot slot) const;
  bool LeaseRuns() const { return ctx_.ticks < lease_until_tick_; }

  Context& ctx_;
  Ballot promised_;
  std::map<Slot, PValue> accepted_;  // highest-ballot accepted value per slot
  // The newest lease granted: no Prepare above lease_ballot_ is promised before
  // lease_until_tick_. Not persisted: a restarted acceptor refuses as if it had granted one to
  // its restored promise just before it went down.
  Ballot lease_ballot_;
  uint64_t lease_until_tick_ = 0;
};

}  // namespace pifleet::core
