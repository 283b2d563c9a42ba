#include "agent/codec/core_values.h"

namespace pifleet::codec {
namespace {

constexpr size_t kDepthMax = 8;

void PackIds(Packer& pk, const std::vector<core::NodeId>& ids) {
  pk.pack_array(static_cast<uint32_t>(ids.size()));
  for (core::NodeId id : ids) pk.pack(id);
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

}  // namespace

void Pack(Packer& pk, const core::Ballot& ballot) {
  pk.pack_array(2);
  pk.pack(ballot.round);
  pk.pack(ballot.node);
}

void PackBytes(Packer& pk, const std::string& bytes) {
  pk.pack_bin(static_cast<uint32_t>(bytes.size()));
  pk.pack_bin_body(bytes.data(), static_cast<uint32_t>(bytes.size()));
}

void Pack(Packer& pk, const core::Command& command) {
  pk.pack_array(7);
  pk.pack(command.client_id);
  pk.pack(command.sequence);
  pk.pack(static_cast<uint8_t>(command.kind));
  PackBytes(pk, command.payload);
  PackIds(pk, command.config.voters);
  PackIds(pk, command.config.learners);
  pk.pack(command.replaces);
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
  const msgpack::object* f = Array(o, 7);
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
  command.replaces = U64(f[6]);
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

bool ParseBounded(std::string_view bytes, msgpack::object_handle* out) {
  BoundsVisitor bounds(bytes.size());
  size_t offset = 0;
  try {
    if (!msgpack::parse(bytes.data(), bytes.size(), offset, bounds) || !bounds.ok() ||
        offset != bytes.size()) {
      return false;
    }
    *out = msgpack::unpack(bytes.data(), bytes.size());
    return true;
  } catch (const msgpack::unpack_error&) {
    return false;
  } catch (const std::bad_alloc&) {
    return false;
  }
}

}  // namespace pifleet::codec
