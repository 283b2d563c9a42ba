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
#include <vector>

#include "agent/core/constants.h"
#include "agent/core/context.h"
#include "agent/core/message.h"

namespace pifleet::core {

class Recovery {
 public:
  explicit Recovery(Context& ctx) : ctx_(ctx) {}

  // Sets ctx.recovering and queries the voters of every configuration this node knows for
  // slot_out (the first unapplied slot) and later, from from_slot (the slot after its snapshot).
  void Start(Slot from_slot, Slot slot_out);
  // Re-sends the query to the voters whose part is not complete.
  void Tick(Slot from_slot, Slot slot_out);
  // The Tick() call that may re-send (constants.h: kNoDeadline once recovered).
  uint32_t TicksUntilDue() const {
    return ctx_.recovering ? TicksUntilCount(ticks_, kRetransmitTicks) : kNoDeadline;
  }
  // True if the reply belongs to this recovery (the caller then adopts what it carries). A
  // reconfiguration among the reported values above slot_out is a configuration this node may
  // have voted in and forgotten: its voters are asked too, and counted.
  bool OnReply(NodeId from, const Promise& reply, Slot from_slot, Slot slot_out);
  // An offer means from_slot is inside `from`'s snapshot: those slots are decided. This node
  // stays out of them (Context::recovery_floor) and asks `from` again from the slot after it.
  void OnOffer(NodeId from, const SnapshotOffer& offer);
  // Clears ctx.recovering once every candidate configuration has enough complete voters.
  void MaybeFinish(Slot slot_out);

 private:
  // The configurations whose votes this node may have lost: the ones it knows for slot_out and
  // later, and the ones reported above slot_out (and not yet applied here).
  std::vector<Config> Candidates(Slot slot_out) const;
  void QueryMissing(const Config& config, Slot from_slot);
  void Query(NodeId to, Slot from_slot);

  Context& ctx_;
  uint64_t nonce_ = 0;
  std::map<NodeId, Slot> next_from_;           // per peer: the slot its next query asks from
  std::set<NodeId> complete_;                  // peers whose last reply was empty
  std::map<Slot, std::vector<Config>> heard_;  // reconfigurations reported, by slot
  uint32_t ticks_ = 0;
};

}  // namespace pifleet::core
