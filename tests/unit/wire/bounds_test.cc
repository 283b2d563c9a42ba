// The edge check (agent/wire/bounds.h): every message type, in and out of bounds.
#include "agent/wire/bounds.h"

#include <gtest/gtest.h>

#include "agent/core/constants.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::wire {
namespace {

using core::Ballot;
using core::Command;
using core::CommandKind;

constexpr Ballot kBallot{3, 1};

Command App(size_t bytes) { return Command{1, 1, CommandKind::kApp, std::string(bytes, 'x'), {}}; }

Command Reconfig(std::vector<core::NodeId> voters, std::vector<core::NodeId> learners = {}) {
  Command command{1, 1, CommandKind::kReconfig, "", {}, 1};
  command.config.voters = std::move(voters);
  command.config.learners = std::move(learners);
  return command;
}

DropReason Peer(core::Message message) {
  return CheckBounds(core::Envelope{2, 1, std::move(message)});
}

TEST(CheckBounds, LeaseGrantsNameARealBallotAndStamp) {
  EXPECT_EQ(Peer(core::LeaseGrant{kBallot, 9}), DropReason::kNone);
  EXPECT_EQ(Peer(core::LeaseGrant{kBallot, 0}), DropReason::kOutOfBounds);
  EXPECT_EQ(Peer(core::LeaseGrant{Ballot{}, 9}), DropReason::kOutOfBounds);
  EXPECT_EQ(Peer(core::LeaseGrant{Ballot{3, 0}, 9}), DropReason::kOutOfBounds);
  EXPECT_EQ(Peer(core::Active{kBallot, 4, 9}), DropReason::kNone);
}

TEST(CheckBounds, RequestsCarryOnlyCommandsWithinBounds) {
  EXPECT_EQ(Peer(core::Request{{App(10), Reconfig({1, 2, 3}, {4})}}), DropReason::kNone);
  EXPECT_EQ(Peer(core::Request{{Reconfig({})}}), DropReason::kOutOfBounds);
  EXPECT_EQ(Peer(core::Request{{Reconfig({1, 2, 3, 4, 5, 6, 7, 8})}}), DropReason::kOutOfBounds);
  EXPECT_EQ(Peer(core::Request{{Reconfig({1, 1, 2})}}), DropReason::kOutOfBounds);
  EXPECT_EQ(Peer(core::Request{{Reconfig({1, 2}, {2})}}), DropReason::kOutOfBounds);
  EXPECT_EQ(Peer(core::Request{{App(core::kCommandBytesMax)}}), DropReason::kNone);
  EXPECT_EQ(Peer(core::Request{{App(core::kCommandBytesMax + 1)}}), DropReason::kOutOfBounds);
  core::Request many;
  many.commands.assign(core::kOutstandingProposalsMax + 1, App(1));
  EXPECT_EQ(Peer(many), DropReason::kOutOfBounds);
}

TEST(CheckBounds, ValuesInAcceptsDecisionsPromisesAndCatchup) {
  const core::Value good{{App(10)}};
  const core::Value bad{{Reconfig({})}};
  EXPECT_EQ(Peer(core::Accept{kBallot, 1, good}), DropReason::kNone);
  EXPECT_EQ(Peer(core::Accept{kBallot, 1, bad}), DropReason::kOutOfBounds);
  EXPECT_EQ(Peer(core::Accept{kBallot, 0, good}), DropReason::kOutOfBounds) << "slots start at 1";
  EXPECT_EQ(Peer(core::Decision{1, good}), DropReason::kNone);
  EXPECT_EQ(Peer(core::Decision{1, bad}), DropReason::kOutOfBounds);
  core::Value too_many;
  too_many.commands.assign(core::kBatchCommandsMax + 1, App(1));
  EXPECT_EQ(Peer(core::Decision{1, too_many}), DropReason::kOutOfBounds);
  EXPECT_EQ(Peer(core::Promise{kBallot, kBallot, {core::PValue{kBallot, 1, good}}}),
            DropReason::kNone);
  EXPECT_EQ(Peer(core::Promise{kBallot, kBallot, {core::PValue{kBallot, 1, bad}}}),
            DropReason::kOutOfBounds);
  core::CatchupReply reply;
  reply.decisions.assign(core::kCatchupSlotsMax, core::Decision{1, good});
  EXPECT_EQ(Peer(reply), DropReason::kNone);
  reply.decisions.push_back(core::Decision{1, good});
  EXPECT_EQ(Peer(reply), DropReason::kOutOfBounds);
}

TEST(CheckBounds, BallotsSnapshotsAndAddresses) {
  EXPECT_EQ(Peer(core::Prepare{kBallot, 1}), DropReason::kNone);
  EXPECT_EQ(Peer(core::Prepare{Ballot{3, 0}, 1}), DropReason::kOutOfBounds) << "node 0";
  EXPECT_EQ(Peer(core::SnapshotChunk{5, 0, std::string(core::kSnapshotChunkBytes, 's')}),
            DropReason::kNone);
  EXPECT_EQ(Peer(core::SnapshotChunk{5, 0, std::string(core::kSnapshotChunkBytes + 1, 's')}),
            DropReason::kOutOfBounds);
  EXPECT_EQ(Peer(core::SnapshotOffer{5, core::kSnapshotBytesMax + 1, 0}), DropReason::kOutOfBounds);
  EXPECT_EQ(CheckBounds(core::Envelope{0, 1, core::CatchupRequest{1}}), DropReason::kOutOfBounds);
}

TEST(CheckBounds, ClientRequestsAndReplies) {
  EXPECT_EQ(
      CheckBounds(ClientRequest{1, 1, ClientOp::kKv, std::string(core::kCommandBytesMax, 'k')}),
      DropReason::kNone);
  EXPECT_EQ(
      CheckBounds(ClientRequest{1, 1, ClientOp::kKv, std::string(core::kCommandBytesMax + 1, 'k')}),
      DropReason::kOutOfBounds);
  EXPECT_EQ(CheckBounds(ClientRequest{1, 1, ClientOp::kJoin, std::string(1 << 20, 'n')}),
            DropReason::kOutOfBounds);
  EXPECT_EQ(CheckBounds(ClientReply{1, 1, ReplyCode::kError, "", std::string(4096, 'e')}),
            DropReason::kOutOfBounds);
  EXPECT_EQ(CheckBounds(ClientReply{1, 1, ReplyCode::kOk, "voters=1\nlearners=\n", ""}),
            DropReason::kNone);
  // A registration carries nothing; a kv get reply carries a whole 64 KiB value, and a members
  // reply kNodesMax rows with every string at its bound.
  EXPECT_EQ(CheckBounds(ClientRequest{1, 1, ClientOp::kRegister, ""}), DropReason::kNone);
  EXPECT_EQ(CheckBounds(ClientRequest{1, 1, ClientOp::kRegister, "x"}), DropReason::kOutOfBounds);
  const KvReplyBody get{true, true, std::string(64 * 1024, 'v')};
  EXPECT_EQ(CheckBounds(ClientReply{1, 1, ReplyCode::kOk, EncodeBody(get), ""}), DropReason::kNone);
  MembersBody members{UINT64_MAX, UINT64_MAX, std::vector<MemberRow>(core::kNodesMax)};
  for (MemberRow& row : members.rows) {
    row.node_id = UINT64_MAX;
    row.name = row.address = row.voting = row.role = row.version = row.board = row.serial =
        std::string(128, 's');
    row.last_heard_ms = row.capacity_milli = row.temperature_milli = INT64_MIN;
    row.throttled_bits = UINT32_MAX;
  }
  EXPECT_EQ(CheckBounds(ClientReply{1, 1, ReplyCode::kOk, EncodeBody(members), ""}),
            DropReason::kNone);
  EXPECT_EQ(CheckBounds(ClientReply{1, 1, ReplyCode::kOk, std::string(1 << 20, 'r'), ""}),
            DropReason::kOutOfBounds);
}

}  // namespace
}  // namespace pifleet::wire
