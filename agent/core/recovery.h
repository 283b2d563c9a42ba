// Restart recovery of an acceptor (after Viewstamped Replication's recovery protocol; the full
// argument is in docs/consensus.md). A restarted node cannot tell locally whether its WAL lost
// a synced tail (a cut at a record boundary looks like a clean end), and an acceptor that
// forgot a promise or an accepted value can let two values be chosen. So a core started with
// CoreOptions::recover_on_start votes on nothing (Context::recovering) until a majority of the
// other voters has told it their promise and every value they accepted above its snapshot:
//   query:  Prepare{ballot {0, nonce}, from_slot}   (no scout uses round 0)
//   reply:  Promise{ballot {0, nonce}, promised, up to kRecoveryPValuesMax accepted values from
//           from_slot}, or a SnapshotOffer when from_slot is inside the peer's snapshot.
// A reply with values is followed by a query from the slot after its last one; an empty reply
// ends that peer's part. The acceptor adopts the highest promise and, per slot, the
// highest-ballot value it hears; the leader takes no ballot below the highest promise heard.
#pragma once

#include <map>
#include <set>

#include "agent/core/context.h"
#include "agent/core/message.h"

namespace pifleet::core {

class Recovery {
 public:
  explicit Recovery(Context& ctx) : ctx_(ctx) {}

  // Sets ctx.recovering and queries every other voter (of the configuration at slot_out, the
  // first unapplied slot) from from_slot (the slot after this node's snapshot). Finishes at
  // once when no other voter is needed (one voter, or a learner).
  void Start(Slot from_slot, Slot slot_out);
  // Re-sends the query to the voters whose part is not complete.
  void Tick(Slot from_slot, Slot slot_out);
  // True if the reply belongs to this recovery (the caller then adopts what it carries).
  bool OnReply(NodeId from, const Promise& reply, Slot from_slot);
  // An offer means from_slot is inside `from`'s snapshot: those slots are decided. This node
  // stays out of them (Context::recovery_floor) and asks `from` again from the slot after it.
  void OnOffer(NodeId from, const SnapshotOffer& offer);
  // Clears ctx.recovering once enough voters of the current configuration are complete.
  void MaybeFinish(Slot slot_out);

 private:
  void Query(NodeId to, Slot from_slot);

  Context& ctx_;
  uint64_t nonce_ = 0;
  std::map<NodeId, Slot> next_from_;  // per peer: the slot its next query asks from
  std::set<NodeId> complete_;         // peers whose last reply was empty
  uint32_t ticks_ = 0;
};

}  // namespace pifleet::core
