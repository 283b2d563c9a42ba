#include "agent/sm/members.h"

#include <array>

#include "agent/sm/constants.h"

namespace pifleet::sm {
namespace {

// The strings of a member (Member or const Member) in their order in the upsert.
template <typename M>
auto Strings(M& m) {
  const std::array strings{&m.name, &m.address, &m.role, &m.version, &m.board, &m.serial};
  static_assert(std::tuple_size_v<decltype(strings)> == kMemberStrings);
  return strings;
}

}  // namespace

std::string EncodeUpsertMember(const Member& m) {
  ByteWriter w;
  w.U8(static_cast<uint8_t>(MembersKind::kUpsert));
  w.U64(m.node_id);
  for (const std::string* s : Strings(m)) w.Str(*s);  // whole: Apply refuses one too long
  w.U64(m.capacity_milli);
  w.U64(static_cast<uint64_t>(m.temperature_milli));
  w.U64(m.throttled_bits);
  return std::move(w.out);
}

std::string EncodeRemoveMember(uint64_t node_id) {
  ByteWriter w;
  w.U8(static_cast<uint8_t>(MembersKind::kRemove));
  w.U64(node_id);
  return std::move(w.out);
}

bool IsMembersCommand(const std::string& payload) {
  if (payload.empty()) return false;
  const auto kind = static_cast<uint8_t>(payload[0]);
  return kind == static_cast<uint8_t>(MembersKind::kUpsert) ||
         kind == static_cast<uint8_t>(MembersKind::kRemove);
}

bool MembersTable::Apply(uint64_t slot, const std::string& payload) {
  if (!IsMembersCommand(payload)) return false;
  ByteReader r{payload};
  const uint8_t kind = r.U8();
  const uint64_t node_id = r.U64();
  if (kind == static_cast<uint8_t>(MembersKind::kRemove)) {
    if (!r.Done()) return false;
    members_.erase(node_id);
    return true;
  }
  Member m;
  m.node_id = node_id;
  for (std::string* s : Strings(m)) *s = r.Str(kMemberStringBytesMax);
  m.capacity_milli = r.U64();
  m.temperature_milli = static_cast<int64_t>(r.U64());
  const uint64_t throttled_bits = r.U64();
  if (!r.Done() || node_id == 0 || throttled_bits > UINT32_MAX) return false;
  m.throttled_bits = static_cast<uint32_t>(throttled_bits);
  m.updated_slot = slot;
  members_[node_id] = std::move(m);
  return true;
}

std::optional<Member> MembersTable::Find(uint64_t node_id) const {
  auto it = members_.find(node_id);
  if (it == members_.end()) return std::nullopt;
  return it->second;
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

}  // namespace pifleet::sm
