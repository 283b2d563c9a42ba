#include "agent/wire/codec.h"

#include "agent/base/assert.h"
#include "agent/codec/core_values.h"

namespace pifleet::wire {
namespace {

static_assert(std::variant_size_v<core::Message> == 13,
              "a new core message needs its WireType, Pack and Unpack here");

// The core's values (ballot, command, value, pvalue) in the shapes the WAL shares.
using codec::AnyArray;
using codec::Array;
using codec::Bytes;
using codec::Malformed;
using codec::Pack;
using codec::PackBytes;
using codec::Packer;
using codec::U64;
using codec::U8;
using codec::UnpackBallot;
using codec::UnpackCommands;
using codec::UnpackPValue;
using codec::UnpackValue;

// --- encoding -------------------------------------------------------------------------------

void Pack(Packer& pk, const core::Decision& decision) {
  pk.pack_array(2);
  pk.pack(decision.slot);
  Pack(pk, decision.value);
}

// Header of a peer message: [type, from, to, fields...]
void Begin(Packer& pk, WireType type, const core::Envelope& envelope, uint32_t fields) {
  pk.pack_array(3 + fields);
  pk.pack(static_cast<uint8_t>(type));
  pk.pack(envelope.from);
  pk.pack(envelope.to);
}

void PackPeer(Packer& pk, const core::Envelope& envelope) {
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, core::Prepare>) {
          Begin(pk, WireType::kPrepare, envelope, 2);
          Pack(pk, m.ballot);
          pk.pack(m.from_slot);
        } else if constexpr (std::is_same_v<M, core::Promise>) {
          Begin(pk, WireType::kPromise, envelope, 3);
          Pack(pk, m.ballot);
          Pack(pk, m.promised);
          pk.pack_array(static_cast<uint32_t>(m.accepted.size()));
          for (const core::PValue& pvalue : m.accepted) Pack(pk, pvalue);
        } else if constexpr (std::is_same_v<M, core::Accept>) {
          Begin(pk, WireType::kAccept, envelope, 3);
          Pack(pk, m.ballot);
          pk.pack(m.slot);
          Pack(pk, m.value);
        } else if constexpr (std::is_same_v<M, core::Accepted>) {
          Begin(pk, WireType::kAccepted, envelope, 3);
          Pack(pk, m.ballot);
          pk.pack(m.slot);
          Pack(pk, m.promised);
        } else if constexpr (std::is_same_v<M, core::Decision>) {
          Begin(pk, WireType::kDecision, envelope, 1);
          Pack(pk, m);
        } else if constexpr (std::is_same_v<M, core::Active>) {
          // The stamp only when there is one: an unstamped beat keeps the older two fields.
          Begin(pk, WireType::kActive, envelope, m.lease_stamp != 0 ? 3 : 2);
          Pack(pk, m.ballot);
          pk.pack(m.applied_slot);
          if (m.lease_stamp != 0) pk.pack(m.lease_stamp);
        } else if constexpr (std::is_same_v<M, core::Request>) {
          Begin(pk, WireType::kRequest, envelope, 1);
          Pack(pk, m.commands);
        } else if constexpr (std::is_same_v<M, core::CatchupRequest>) {
          Begin(pk, WireType::kCatchupRequest, envelope, 1);
          pk.pack(m.from_slot);
        } else if constexpr (std::is_same_v<M, core::CatchupReply>) {
          Begin(pk, WireType::kCatchupReply, envelope, 2);
          pk.pack_array(static_cast<uint32_t>(m.decisions.size()));
          for (const core::Decision& decision : m.decisions) Pack(pk, decision);
          pk.pack(m.applied_slot);
        } else if constexpr (std::is_same_v<M, core::SnapshotOffer>) {
          Begin(pk, WireType::kSnapshotOffer, envelope, 3);
          pk.pack(m.slot);
          pk.pack(m.bytes);
          pk.pack(m.hash);
        } else if constexpr (std::is_same_v<M, core::SnapshotChunkRequest>) {
          Begin(pk, WireType::kSnapshotChunkRequest, envelope, 2);
          pk.pack(m.slot);
          pk.pack(m.index);
        } else if constexpr (std::is_same_v<M, core::SnapshotChunk>) {
          Begin(pk, WireType::kSnapshotChunk, envelope, 3);
          pk.pack(m.slot);
          pk.pack(m.index);
          PackBytes(pk, m.data);
        } else {
          static_assert(std::is_same_v<M, core::LeaseGrant>);
          Begin(pk, WireType::kLeaseGrant, envelope, 2);
          Pack(pk, m.ballot);
          pk.pack(m.stamp);
        }
      },
      envelope.message);
}

// --- decoding -------------------------------------------------------------------------------

core::Decision UnpackDecision(const msgpack::object& o) {
  const msgpack::object* f = Array(o, 2);
  return core::Decision{U64(f[0]), UnpackValue(f[1])};
}

// f points at the `field_count` fields after [type, from, to].
core::Message UnpackPeerBody(WireType type, const msgpack::object* f, size_t field_count) {
  switch (type) {
    case WireType::kPrepare:
      return core::Prepare{UnpackBallot(f[0]), U64(f[1])};
    case WireType::kPromise: {
      core::Promise promise{UnpackBallot(f[0]), UnpackBallot(f[1]), {}};
      for (const msgpack::object& item : AnyArray(f[2])) {
        promise.accepted.push_back(UnpackPValue(item));
      }
      return promise;
    }
    case WireType::kAccept:
      return core::Accept{UnpackBallot(f[0]), U64(f[1]), UnpackValue(f[2])};
    case WireType::kAccepted:
      return core::Accepted{UnpackBallot(f[0]), U64(f[1]), UnpackBallot(f[2])};
    case WireType::kDecision:
      return UnpackDecision(f[0]);
    case WireType::kActive:
      return core::Active{UnpackBallot(f[0]), U64(f[1]), field_count == 3 ? U64(f[2]) : 0};
    case WireType::kLeaseGrant:
      return core::LeaseGrant{UnpackBallot(f[0]), U64(f[1])};
    case WireType::kRequest:
      return core::Request{UnpackCommands(f[0])};
    case WireType::kCatchupRequest:
      return core::CatchupRequest{U64(f[0])};
    case WireType::kCatchupReply: {
      core::CatchupReply reply;
      for (const msgpack::object& item : AnyArray(f[0])) {
        reply.decisions.push_back(UnpackDecision(item));
      }
      reply.applied_slot = U64(f[1]);
      return reply;
    }
    case WireType::kSnapshotOffer:
      return core::SnapshotOffer{U64(f[0]), U64(f[1]), U64(f[2])};
    case WireType::kSnapshotChunkRequest:
      return core::SnapshotChunkRequest{U64(f[0]), U64(f[1])};
    case WireType::kSnapshotChunk:
      return core::SnapshotChunk{U64(f[0]), U64(f[1]), Bytes(f[2])};
    default:
      throw Malformed{};
  }
}

size_t PeerFieldCount(WireType type) {
  switch (type) {
    case WireType::kPrepare:
      return 2;
    case WireType::kPromise:
    case WireType::kAccept:
    case WireType::kAccepted:
      return 3;
    case WireType::kDecision:
      return 1;
    case WireType::kActive:
    case WireType::kLeaseGrant:
      return 2;
    case WireType::kRequest:
    case WireType::kCatchupRequest:
      return 1;
    case WireType::kCatchupReply:
      return 2;
    case WireType::kSnapshotOffer:
      return 3;
    case WireType::kSnapshotChunkRequest:
      return 2;
    case WireType::kSnapshotChunk:
      return 3;
    default:
      return 0;
  }
}

WireMessage UnpackMessage(const msgpack::object& root, DropReason* reason) {
  const auto fields = AnyArray(root);
  if (fields.empty()) throw Malformed{};
  const uint8_t type_byte = U8(fields[0]);
  const auto type = static_cast<WireType>(type_byte);
  if (type == WireType::kClientRequest) {
    const msgpack::object* f = Array(root, 6);
    const uint8_t op = U8(f[4]);
    if (op < static_cast<uint8_t>(ClientOp::kKv) || op > static_cast<uint8_t>(ClientOp::kLast)) {
      *reason = DropReason::kUnknownType;
      return {};
    }
    return ClientRequest{U64(f[1]), U64(f[3]), static_cast<ClientOp>(op), Bytes(f[5]), U64(f[2])};
  }
  if (type == WireType::kClientReply) {
    const msgpack::object* f = Array(root, 6);
    const uint8_t code = U8(f[3]);
    if (code > static_cast<uint8_t>(ReplyCode::kNoQuorum)) throw Malformed{};
    return ClientReply{U64(f[1]), U64(f[2]), static_cast<ReplyCode>(code), Bytes(f[4]),
                       Bytes(f[5])};
  }
  size_t field_count = PeerFieldCount(type);
  // An Active carries a third field, its lease stamp, only when it has one.
  if (type == WireType::kActive && fields.size() == 3 + 3) field_count = 3;
  if (field_count == 0) {
    *reason = DropReason::kUnknownType;
    return {};
  }
  const msgpack::object* f = Array(root, 3 + field_count);
  core::Envelope envelope;
  envelope.from = U64(f[1]);
  envelope.to = U64(f[2]);
  envelope.message = UnpackPeerBody(type, f + 3, field_count);
  return envelope;
}

}  // namespace

std::string Encode(const WireMessage& message) {
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  if (const auto* envelope = std::get_if<core::Envelope>(&message)) {
    PackPeer(pk, *envelope);
  } else if (const auto* request = std::get_if<ClientRequest>(&message)) {
    pk.pack_array(6);
    pk.pack(static_cast<uint8_t>(WireType::kClientRequest));
    pk.pack(request->client_id);
    pk.pack(request->session);
    pk.pack(request->sequence);
    pk.pack(static_cast<uint8_t>(request->op));
    PackBytes(pk, request->payload);
  } else {
    const auto& reply = std::get<ClientReply>(message);
    pk.pack_array(6);
    pk.pack(static_cast<uint8_t>(WireType::kClientReply));
    pk.pack(reply.client_id);
    pk.pack(reply.sequence);
    pk.pack(static_cast<uint8_t>(reply.code));
    PackBytes(pk, reply.payload);
    PackBytes(pk, reply.error);
  }
  return std::string(buffer.data(), buffer.size());
}

DropReason Decode(std::span<const uint8_t> bytes, WireMessage* out) {
  msgpack::object_handle handle;
  if (!codec::ParseBounded({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, &handle)) {
    return DropReason::kMalformed;  // bad bytes, claims beyond the input, or trailing bytes
  }
  try {
    DropReason reason = DropReason::kNone;
    WireMessage message = UnpackMessage(handle.get(), &reason);
    if (reason != DropReason::kNone) return reason;
    *out = std::move(message);
    return DropReason::kNone;
  } catch (const Malformed&) {
    return DropReason::kMalformed;
  } catch (const std::bad_alloc&) {
    return DropReason::kMalformed;
  }
}

}  // namespace pifleet::wire
