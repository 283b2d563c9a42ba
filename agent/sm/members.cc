#include "agent/sm/members.h"

namespace pifleet::sm {
namespace {

constexpr size_t kStringBytesMax = 256;

void PutU64(std::string& out, uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

void PutString(std::string& out, const std::string& s) {
  const std::string clipped = s.substr(0, kStringBytesMax);
  out.push_back(static_cast<char>(clipped.size()));
  out += clipped;
}

struct Reader {
  const std::string& in;
  size_t pos = 1;  // after the kind byte
  bool ok = true;

  uint64_t U64() {
    if (in.size() - pos < 8) return ok = false, 0;
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= uint64_t{static_cast<uint8_t>(in[pos + i])} << (8 * i);
    pos += 8;
    return value;
  }
  std::string String() {
    if (pos >= in.size()) return ok = false, std::string();
    const size_t n = static_cast<uint8_t>(in[pos++]);
    if (in.size() - pos < n) return ok = false, std::string();
    std::string s = in.substr(pos, n);
    pos += n;
    return s;
  }
};

uint64_t Mix(uint64_t hash, uint64_t value) {
  hash ^= value + 0x9e3779b97f4a7c15 + (hash << 6) + (hash >> 2);
  return hash;
}

uint64_t HashString(const std::string& s) {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (char c : s) hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return hash;
}

}  // namespace

std::string EncodeUpsertMember(const Member& m) {
  std::string out(1, static_cast<char>(MembersKind::kUpsert));
  PutU64(out, m.node_id);
  for (const std::string* s : {&m.name, &m.address, &m.role, &m.version, &m.board, &m.serial}) {
    PutString(out, *s);
  }
  PutU64(out, m.capacity_milli);
  PutU64(out, static_cast<uint64_t>(m.temperature_milli));
  PutU64(out, m.throttled_bits);
  return out;
}

std::string EncodeRemoveMember(uint64_t node_id) {
  std::string out(1, static_cast<char>(MembersKind::kRemove));
  PutU64(out, node_id);
  return out;
}

bool IsMembersCommand(const std::string& payload) {
  if (payload.empty()) return false;
  const auto kind = static_cast<uint8_t>(payload[0]);
  return kind == static_cast<uint8_t>(MembersKind::kUpsert) ||
         kind == static_cast<uint8_t>(MembersKind::kRemove);
}

bool MembersTable::Apply(uint64_t slot, const std::string& payload) {
  if (!IsMembersCommand(payload)) return false;
  Reader reader{payload};
  const uint64_t node_id = reader.U64();
  if (static_cast<uint8_t>(payload[0]) == static_cast<uint8_t>(MembersKind::kRemove)) {
    if (!reader.ok || reader.pos != payload.size() || node_id == 0) return false;
    members_.erase(node_id);
    removed_.insert(node_id);
    return true;
  }
  Member m;
  m.node_id = node_id;
  for (std::string* s : {&m.name, &m.address, &m.role, &m.version, &m.board, &m.serial}) {
    *s = reader.String();
  }
  m.capacity_milli = reader.U64();
  m.temperature_milli = static_cast<int64_t>(reader.U64());
  m.throttled_bits = static_cast<uint32_t>(reader.U64());
  if (!reader.ok || reader.pos != payload.size() || node_id == 0 || WasRemoved(node_id)) {
    return false;
  }
  m.updated_slot = slot;
  members_[node_id] = std::move(m);
  return true;
}

std::optional<Member> MembersTable::Find(uint64_t node_id) const {
  auto it = members_.find(node_id);
  if (it == members_.end()) return std::nullopt;
  return it->second;
}

uint64_t MembersTable::Digest() const {
  uint64_t hash = 0;
  for (const auto& [id, m] : members_) {
    hash = Mix(hash, id);
    hash = Mix(hash, HashString(EncodeUpsertMember(m)));
    hash = Mix(hash, m.updated_slot);
  }
  for (uint64_t id : removed_) hash = Mix(hash, ~id);
  return hash;
}

void MembersTable::EncodeTo(ByteWriter& w) const {
  w.U64(members_.size());
  for (const auto& [id, m] : members_) {
    w.Str(EncodeUpsertMember(m));
    w.U64(m.updated_slot);
  }
}

bool MembersTable::DecodeFrom(ByteReader& r) {
  MembersTable table;
  const uint64_t count = r.Count(16);
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    const std::string upsert = r.Str();
    const uint64_t slot = r.U64();
    if (!r.ok || upsert.empty() ||
        static_cast<uint8_t>(upsert[0]) != static_cast<uint8_t>(MembersKind::kUpsert)) {
      return false;
    }
    if (!table.Apply(slot, upsert)) return false;
  }
  if (!r.ok || table.members_.size() != count) return false;
  members_ = std::move(table.members_);
  return true;
}

void MembersTable::EncodeRemovedTo(ByteWriter& w) const {
  w.U64(removed_.size());
  for (uint64_t id : removed_) w.U64(id);
}

bool MembersTable::DecodeRemovedFrom(ByteReader& r) {
  std::set<uint64_t> removed;
  const uint64_t count = r.Count(8);
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    const uint64_t id = r.U64();
    if (id == 0 || members_.count(id) != 0) return false;
    removed.insert(id);
  }
  if (!r.ok || removed.size() != count) return false;
  removed_ = std::move(removed);
  return true;
}

}  // namespace pifleet::sm
