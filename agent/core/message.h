// The messages nodes exchange (after the 500-lines chapter and Paxos Made Moderately Complex).
// Every message is a plain value type; agent/wire maps each one to msgpack.
#pragma once

#include <variant>
#include <vector>

#include "agent/core/types.h"

namespace pifleet::core {

// Phase 1a (Scout -> acceptors): promise `ballot`, and report what you accepted from `from_slot`.
struct Prepare {
  Ballot ballot;
  Slot from_slot = 0;
};
// Phase 1b. `promised` == `ballot` is a promise; a higher `promised` preempts the scout.
struct Promise {
  Ballot ballot;
  Ballot promised;
  std::vector<PValue> accepted;
};
// Phase 2a (Commander -> acceptors).
struct Accept {
  Ballot ballot;
  Slot slot = 0;
  Value value;
};
// Phase 2b. `promised` == `ballot` is an accept; a higher `promised` preempts the commander.
struct Accepted {
  Ballot ballot;
  Slot slot = 0;
  Ballot promised;
};
// A chosen value, broadcast by the commander to every replica.
struct Decision {
  Slot slot = 0;
  Value value;
};
// Leader heartbeat; `applied_slot` lets replicas notice that they missed decisions. A nonzero
// `lease_stamp` (the leader's tick count when it sent it) asks a voter for a lease grant.
struct Active {
  Ballot ballot;
  Slot applied_slot = 0;
  uint64_t lease_stamp = 0;
};
// Voter -> leader: it promises no ballot above `ballot` for kLeaseTicks of its own ticks from
// now (the grant of the Active stamped `stamp`).
struct LeaseGrant {
  Ballot ballot;
  uint64_t stamp = 0;
};
// Replica -> leader: commands to order (forwarded proposals, retransmitted until decided).
struct Request {
  std::vector<Command> commands;
};
// Catch-up (Bootstrap and lagging replicas): send me the decisions from `from_slot` on.
struct CatchupRequest {
  Slot from_slot = 0;
};
struct CatchupReply {
  std::vector<Decision> decisions;
  Slot applied_slot = 0;
};

// Snapshot transfer, a chunked pull (DESIGN §4). A node that cannot answer from its log (the
// slots asked for are compacted into its snapshot) offers its snapshot instead: an answer to a
// CatchupRequest, a Prepare or an Accept below its snapshot. The receiver pulls the blob chunk by
// chunk (kSnapshotChunkBytes, the last one shorter) and checks `hash` before installing it.
struct SnapshotOffer {
  Slot slot = 0;
  uint64_t bytes = 0;
  uint64_t hash = 0;
};
struct SnapshotChunkRequest {
  Slot slot = 0;
  uint64_t index = 0;
};
// A chunk of the snapshot at `slot`. A node asked for a snapshot it no longer has answers with
// an offer of its current one.
struct SnapshotChunk {
  Slot slot = 0;
  uint64_t index = 0;
  Bytes data;
};

using Message =
    std::variant<Prepare, Promise, Accept, Accepted, Decision, Active, Request, CatchupRequest,
                 CatchupReply, SnapshotOffer, SnapshotChunkRequest, SnapshotChunk, LeaseGrant>;

struct Envelope {
  NodeId from = 0;
  NodeId to = 0;
  Message message;
};

const char* MessageName(const Message& message);

}  // namespace pifleet::core
