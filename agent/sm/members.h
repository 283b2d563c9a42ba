// The members table (DESIGN §6): who is in the fleet, where to reach them and what they are.
// Replicated through the log like every other command, so every replica holds the same table.
// Whether a member votes is the core's configuration; this table holds what the core does not.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/base/bytes.h"

namespace pifleet::sm {

struct Member {
  uint64_t node_id = 0;
  std::string name;
  std::string address;  // host:port of its agent
  std::string role;     // requested: voter | learner | auto
  std::string version;  // agent version
  std::string board;    // device-tree model, "" off a Pi
  std::string serial;
  uint64_t capacity_milli = 0;    // capacity x 1000 (hal/capacity)
  int64_t temperature_milli = 0;  // millidegrees Celsius
  uint32_t throttled_bits = 0;    // firmware get_throttled bits
  uint64_t updated_slot = 0;      // slot of the last upsert (set on apply)
  bool operator==(const Member&) const = default;
};

enum class MembersKind : uint8_t { kUpsert = 0x10, kRemove = 0x11 };

// Payload bytes of a members command (the first byte tells it apart from kv commands):
// upsert: kind u8 | node id u64 | name, address, role, version, board, serial (each u64 length
// + bytes, whole) | capacity u64 | temperature i64 | throttled bits u64 (< 2^32);
// remove: kind u8 | node id u64.
std::string EncodeUpsertMember(const Member& member);
std::string EncodeRemoveMember(uint64_t node_id);
bool IsMembersCommand(const std::string& payload);

class MembersTable {
 public:
  // Applies one members command decided in `slot`; false (and no change) when malformed or
  // when a string is longer than kMemberStringBytesMax (agent/sm/constants.h).
  bool Apply(uint64_t slot, const std::string& payload);
  const std::map<uint64_t, Member>& members() const { return members_; }
  std::optional<Member> Find(uint64_t node_id) const;
  // Snapshot bytes: each member as its upsert command and the slot of that upsert.
  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  std::map<uint64_t, Member> members_;
};

}  // namespace pifleet::sm
