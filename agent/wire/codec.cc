#include "agent/wire/codec.h"

#include <msgpack.hpp>

#include "agent/base/assert.h"

namespace pifleet::wire {
namespace {

static_assert(std::variant_size_v<core::Message> == 12,
              "a new core message needs its WireType, Pack and Unpack here");

constexpr size_t kDepthMax = 8;

using Packer = msgpack::packer<msgpack::sbuffer>;

// --- encoding -------------------------------------------------------------------------------

void Pack(Packer& pk, const core::Ballot& ballot) {
  pk.pack_array(2);
  pk.pack(ballot.round);
  pk.pack(ballot.node);
}

void PackBytes(Packer& pk, const std::string& bytes) {
  pk.pack_bin(static_cast<uint32_t>(bytes.size()));
  pk.pack_bin_body(bytes.data(), static_cast<uint32_t>(bytes.size()));
}

void PackIds(Packer& pk, const std::vector<core::NodeId>& ids) {
  pk.pack_array(static_cast<uint32_t>(ids.size()));
  for (core::NodeId id : ids) pk.pack(id);
}

void Pack(Packer& pk, const core::Command& command) {
  pk.pack_array(6);
  pk.pack(command.client_id);
  pk.pack(command.sequence);
  pk.pack(static_cast<uint8_t>(command.kind));
  PackBytes(pk, command.payload);
  PackIds(pk, command.config.voters);
  PackIds(pk, command.config.learners);
}

void Pack(Packer& pk, const std::vector<core::Command>& commands) {
  pk.pack_array(static_cast<uint32_t>(commands.size()));
  for (const core::Command& command : commands) Pack(pk, command);
}

void Pack(Packer& pk, const core::Value& value) { Pack(pk, value.commands); }

void Pack(Packer& pk, const core::PValue& pvalue) {
  pk.pack_array(3);
  Pack(pk, pvalue.ballot);
  pk.pack(pvalue.slot);
  Pack(pk, pvalue.value);
}

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
          Begin(pk, WireType::kActive, envelope, 2);
          Pack(pk, m.ballot);
          pk.pack(m.applied_slot);
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
        } else {
          static_assert(std::is_same_v<M, core::SnapshotChunk>);
          Begin(pk, WireType::kSnapshotChunk, envelope, 3);
          pk.pack(m.slot);
          pk.pack(m.index);
          PackBytes(pk, m.data);
        }
      },
      envelope.message);
}

// --- decoding -------------------------------------------------------------------------------

struct Malformed {};  // thrown inside Unpack*, caught in Decode

const msgpack::object* Array(const msgpack::object& o, size_t size) {
  if (o.type != msgpack::type::ARRAY || o.via.array.size != size) throw Malformed{};
  return o.via.array.ptr;
}

std::span<const msgpack::object> AnyArray(const msgpack::object& o) {
  if (o.type != msgpack::type::ARRAY) throw Malformed{};
  return {o.via.array.ptr, o.via.array.size};
}

uint64_t U64(const msgpack::object& o) {
  if (o.type != msgpack::type::POSITIVE_INTEGER) throw Malformed{};
  return o.via.u64;
}

uint8_t U8(const msgpack::object& o) {
  const uint64_t value = U64(o);
  if (value > 0xff) throw Malformed{};
  return static_cast<uint8_t>(value);
}

std::string Bytes(const msgpack::object& o) {
  if (o.type == msgpack::type::BIN) return std::string(o.via.bin.ptr, o.via.bin.size);
  if (o.type == msgpack::type::STR) return std::string(o.via.str.ptr, o.via.str.size);
  throw Malformed{};
}

core::Ballot UnpackBallot(const msgpack::object& o) {
  const msgpack::object* f = Array(o, 2);
  return {U64(f[0]), U64(f[1])};
}

std::vector<core::NodeId> UnpackIds(const msgpack::object& o) {
  std::vector<core::NodeId> ids;
  for (const msgpack::object& item : AnyArray(o)) ids.push_back(U64(item));
  return ids;
}

core::Command UnpackCommand(const msgpack::object& o) {
  const msgpack::object* f = Array(o, 6);
  core::Command command;
  command.client_id = U64(f[0]);
  command.sequence = U64(f[1]);
  const uint8_t kind = U8(f[2]);
  if (kind != static_cast<uint8_t>(core::CommandKind::kApp) &&
      kind != static_cast<uint8_t>(core::CommandKind::kReconfig)) {
    throw Malformed{};
  }
  command.kind = static_cast<core::CommandKind>(kind);
  command.payload = Bytes(f[3]);
  command.config.voters = UnpackIds(f[4]);
  command.config.learners = UnpackIds(f[5]);
  return command;
}

std::vector<core::Command> UnpackCommands(const msgpack::object& o) {
  std::vector<core::Command> commands;
  for (const msgpack::object& item : AnyArray(o)) commands.push_back(UnpackCommand(item));
  return commands;
}

core::Value UnpackValue(const msgpack::object& o) { return core::Value{UnpackCommands(o)}; }

core::PValue UnpackPValue(const msgpack::object& o) {
  const msgpack::object* f = Array(o, 3);
  return core::PValue{UnpackBallot(f[0]), U64(f[1]), UnpackValue(f[2])};
}

core::Decision UnpackDecision(const msgpack::object& o) {
  const msgpack::object* f = Array(o, 2);
  return core::Decision{U64(f[0]), UnpackValue(f[1])};
}

// f points at the fields after [type, from, to].
core::Message UnpackPeerBody(WireType type, const msgpack::object* f) {
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
      return core::Active{UnpackBallot(f[0]), U64(f[1])};
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
      return 3;
    case WireType::kAccept:
      return 3;
    case WireType::kAccepted:
      return 3;
    case WireType::kDecision:
      return 1;
    case WireType::kActive:
      return 2;
    case WireType::kRequest:
      return 1;
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

// First pass: no allocation; fails when containers claim more elements than the input has
// bytes (every element takes at least one) or nest deeper than kDepthMax.
class BoundsVisitor : public msgpack::null_visitor {
 public:
  explicit BoundsVisitor(size_t bytes) : budget_(bytes) {}
  bool start_array(uint32_t n) { return Claim(n); }
  bool end_array() { return Leave(); }
  bool start_map(uint32_t n) { return Claim(uint64_t{n} * 2); }
  bool end_map() { return Leave(); }
  void parse_error(size_t, size_t) { ok_ = false; }
  void insufficient_bytes(size_t, size_t) { ok_ = false; }
  bool ok() const { return ok_; }

 private:
  bool Claim(uint64_t elements) {
    if (elements > budget_ || ++depth_ > kDepthMax) return ok_ = false;
    budget_ -= elements;
    return true;
  }
  bool Leave() {
    --depth_;
    return true;
  }
  uint64_t budget_;
  size_t depth_ = 0;
  bool ok_ = true;
};

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
  const size_t field_count = PeerFieldCount(type);
  if (field_count == 0) {
    *reason = DropReason::kUnknownType;
    return {};
  }
  const msgpack::object* f = Array(root, 3 + field_count);
  core::Envelope envelope;
  envelope.from = U64(f[1]);
  envelope.to = U64(f[2]);
  envelope.message = UnpackPeerBody(type, f + 3);
  return envelope;
}

// Runs a bounded decode of one msgpack value; false on any malformation.
template <typename T, typename F>
bool DecodeValue(std::span<const uint8_t> bytes, F unpack, T* out) {
  const char* data = reinterpret_cast<const char*>(bytes.data());
  BoundsVisitor bounds(bytes.size());
  size_t offset = 0;
  try {
    if (!msgpack::parse(data, bytes.size(), offset, bounds) || !bounds.ok() ||
        offset != bytes.size()) {
      return false;
    }
    const msgpack::object_handle handle = msgpack::unpack(data, bytes.size());
    *out = unpack(handle.get());
    return true;
  } catch (const Malformed&) {
    return false;
  } catch (const msgpack::unpack_error&) {
    return false;
  } catch (const std::bad_alloc&) {
    return false;
  }
}

}  // namespace

// WAL payloads start from a small buffer (sbuffer's default is 8 KiB), since most are tiny and
// every accept and decision is encoded once per node.
constexpr size_t kRecordBufferBytes = 256;

std::string EncodeBallot(const core::Ballot& ballot) {
  msgpack::sbuffer buffer(kRecordBufferBytes);
  Packer pk(buffer);
  Pack(pk, ballot);
  return std::string(buffer.data(), buffer.size());
}

bool DecodeBallot(std::span<const uint8_t> bytes, core::Ballot* out) {
  return DecodeValue(bytes, UnpackBallot, out);
}

std::string EncodePValue(const core::PValue& pvalue) {
  msgpack::sbuffer buffer(kRecordBufferBytes);
  Packer pk(buffer);
  Pack(pk, pvalue);
  return std::string(buffer.data(), buffer.size());
}

bool DecodePValue(std::span<const uint8_t> bytes, core::PValue* out) {
  return DecodeValue(bytes, UnpackPValue, out);
}

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
  const char* data = reinterpret_cast<const char*>(bytes.data());
  BoundsVisitor bounds(bytes.size());
  size_t offset = 0;
  try {
    if (!msgpack::parse(data, bytes.size(), offset, bounds) || !bounds.ok() ||
        offset != bytes.size()) {
      return DropReason::kMalformed;  // bad bytes, claims beyond the input, or trailing bytes
    }
    const msgpack::object_handle handle = msgpack::unpack(data, bytes.size());
    DropReason reason = DropReason::kNone;
    WireMessage message = UnpackMessage(handle.get(), &reason);
    if (reason != DropReason::kNone) return reason;
    *out = std::move(message);
    return DropReason::kNone;
  } catch (const Malformed&) {
    return DropReason::kMalformed;
  } catch (const msgpack::unpack_error&) {
    return DropReason::kMalformed;
  } catch (const std::bad_alloc&) {
    return DropReason::kMalformed;
  }
}

}  // namespace pifleet::wire
