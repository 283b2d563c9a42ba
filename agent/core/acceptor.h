// Acceptor: makes promises and accepts proposals. Its promise and accepted values are persisted
// (Ready::records) and its replies leave only after they are durable (messages_after_sync).
// Below the node's snapshot it has forgotten what it accepted: a Prepare or Accept reaching
// there is answered with a SnapshotOffer instead (those slots are decided; the asker is behind).
// While the disk is full it does not vote: Prepare and Accept go unanswered, and nothing changes.
#pragma once

#include <map>

#include "agent/core/context.h"
#include "agent/core/durable.h"
#include "agent/core/message.h"

namespace pifleet::core {

class Acceptor {
 public:
  Acceptor(Context& ctx, const DurableState& restored);

  void OnPrepare(NodeId from, const Prepare& prepare);
  void OnAccept(NodeId from, const Accept& accept);
  // Forgets accepted values at or below `slot` (decided and inside a snapshot).
  void Compact(Slot slot);
  Ballot promised() const { return promised_; }
  const std::map<Slot, PValue>& accepted() const { return accepted_; }

 private:
  void RaisePromise(Ballot ballot);
  void OfferSnapshot(NodeId to);

  Context& ctx_;
  Ballot promised_;
  std::map<Slot, PValue> accepted_;  // highest-ballot accepted value per slot
};

}  // namespace pifleet::core
