#include "agent/wire/bounds.h"

#include <type_traits>

#include "agent/core/command_check.h"
#include "agent/core/constants.h"

namespace pifleet::wire {
namespace {

// Text of a client request or reply (a node id in decimal, an error message) stays short.
constexpr size_t kClientTextBytesMax = 1024;
// A join reply is cluster.meta text: at most kNodesMax ids of up to 20 digits and a comma.
constexpr size_t kClientReplyBytesMax = core::kNodesMax * 21 + 256;

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
  // Every operation's payload is a command, a key or a short text: a kv command larger than a
  // command could never be proposed, and a join request is one members upsert.
  const size_t bytes_max = request.op == ClientOp::kLeave || request.op == ClientOp::kIdentify
                               ? kClientTextBytesMax
                               : core::kCommandBytesMax;
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
