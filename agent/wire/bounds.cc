#include "agent/wire/bounds.h"

#include <algorithm>
#include <type_traits>

#include "agent/core/command_check.h"
#include "agent/core/constants.h"

namespace pifleet::wire {
namespace {

// Text of a client request or reply (a node id in decimal, an error message) stays short.
constexpr size_t kClientTextBytesMax = 1024;
// One msgpack MemberRow (client_bodies.h): 12 fields, 7 strings of at most 128 bytes each
// (sm::kMemberStringBytesMax; wire does not depend on sm) and 5 integers of at most 9 bytes.
constexpr size_t kMemberRowBytesMax = 1 + 7 * (2 + 128) + 5 * 9;
// The largest client reply: a KvReplyBody holds one value (smaller than a command), a members
// reply kNodesMax rows, a join reply cluster.meta text (kNodesMax ids of up to 20 digits and a
// comma). Status, metrics and key lists are smaller than the members reply.
constexpr size_t kClientReplyBytesMax =
    std::max<size_t>(core::kCommandBytesMax, core::kNodesMax* kMemberRowBytesMax) + 256;

bool ValueOk(const core::Value& value) { return core::CheckValue(value).ok(); }

bool DecisionOk(const core::Decision& decision) {
  return decision.slot >= 1 && ValueOk(decision.value);
}

bool BallotOk(const core::Ballot& ballot) { return ballot.IsNull() || ballot.node != 0; }

bool PeerMessageOk(const core::Message& message) {
  return std::visit(
      [](const auto& m) -> bool {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, core::Prepare>) {
          return BallotOk(m.ballot) && m.from_slot >= 1;
        } else if constexpr (std::is_same_v<M, core::Promise>) {
          if (!BallotOk(m.ballot) || !BallotOk(m.promised)) return false;
          for (const core::PValue& pvalue : m.accepted) {
            if (pvalue.slot < 1 || !BallotOk(pvalue.ballot) || !ValueOk(pvalue.value)) return false;
          }
          return true;
        } else if constexpr (std::is_same_v<M, core::Accept>) {
          return BallotOk(m.ballot) && m.slot >= 1 && ValueOk(m.value);
        } else if constexpr (std::is_same_v<M, core::Accepted>) {
          return BallotOk(m.ballot) && BallotOk(m.promised) && m.slot >= 1;
        } else if constexpr (std::is_same_v<M, core::Decision>) {
          return DecisionOk(m);
        } else if constexpr (std::is_same_v<M, core::Active>) {
          return BallotOk(m.ballot);
        } else if constexpr (std::is_same_v<M, core::Request>) {
          // A requester re-sends everything it has outstanding in one Request.
          if (m.commands.size() > core::kOutstandingProposalsMax) return false;
          for (const core::Command& command : m.commands) {
            if (!core::CheckCommand(command).ok()) return false;
          }
          return true;
        } else if constexpr (std::is_same_v<M, core::CatchupRequest>) {
          return m.from_slot >= 1;
        } else if constexpr (std::is_same_v<M, core::CatchupReply>) {
          if (m.decisions.size() > core::kCatchupSlotsMax) return false;
          for (const core::Decision& decision : m.decisions) {
            if (!DecisionOk(decision)) return false;
          }
          return true;
        } else if constexpr (std::is_same_v<M, core::SnapshotOffer>) {
          return m.bytes <= core::kSnapshotBytesMax;
        } else if constexpr (std::is_same_v<M, core::SnapshotChunkRequest>) {
          return m.index < core::kSnapshotBytesMax / core::kSnapshotChunkBytes;
        } else if constexpr (std::is_same_v<M, core::LeaseGrant>) {
          return !m.ballot.IsNull() && BallotOk(m.ballot) && m.stamp != 0;
        } else {
          static_assert(std::is_same_v<M, core::SnapshotChunk>);
          return m.data.size() <= core::kSnapshotChunkBytes &&
                 m.index < core::kSnapshotBytesMax / core::kSnapshotChunkBytes;
        }
      },
      message);
}

}  // namespace

DropReason CheckClientRequest(const ClientRequest& request) {
  // Every operation's payload is a msgpack body of one kv command or key (a body larger than a
  // command could never be proposed), a members upsert (join), a key or a short text; a
  // registration carries none.
  size_t bytes_max = core::kCommandBytesMax;
  if (request.op == ClientOp::kLeave || request.op == ClientOp::kIdentify) {
    bytes_max = kClientTextBytesMax;
  } else if (request.op == ClientOp::kRegister) {
    bytes_max = 0;
  }
  return request.payload.size() <= bytes_max ? DropReason::kNone : DropReason::kOutOfBounds;
}

DropReason CheckClientReply(const ClientReply& reply) {
  return reply.payload.size() <= kClientReplyBytesMax && reply.error.size() <= kClientTextBytesMax
             ? DropReason::kNone
             : DropReason::kOutOfBounds;
}

DropReason CheckBounds(const WireMessage& message) {
  if (const auto* envelope = std::get_if<core::Envelope>(&message)) {
    if (envelope->from == 0 || envelope->to == 0) return DropReason::kOutOfBounds;
    return PeerMessageOk(envelope->message) ? DropReason::kNone : DropReason::kOutOfBounds;
  }
  if (const auto* request = std::get_if<ClientRequest>(&message)) {
    return CheckClientRequest(*request);
  }
  return CheckClientReply(std::get<ClientReply>(message));
}

}  // namespace pifleet::wire
