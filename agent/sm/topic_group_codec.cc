// Keys, the group state's bytes and the group commands' bytes (sm/topic_groups.h).
#include <set>

#include "agent/base/bytes.h"
#include "agent/sm/topic_groups.h"
#include "agent/sm/topic_json.h"
#include "agent/sm/topic_keys.h"

namespace pifleet::sm {
namespace {

constexpr uint8_t kGroupStateVersion = 1;
constexpr uint8_t kClaimByte = 0x74;
constexpr uint8_t kAckByte = 0x75;
constexpr uint64_t kAckEntryBytes = 17;  // offset, attempt, outcome

std::string BadName(std::string_view what, std::string_view name, size_t max_bytes) {
  return std::string(what) + " '" + std::string(name) + "' must be 1 to " +
         std::to_string(max_bytes) + " bytes of A-Z a-z 0-9 . _ -";
}

}  // namespace

std::string GroupKey(std::string_view topic, std::string_view group) {
  return GroupsPrefix(topic) + std::string(group);
}

std::string GroupsPrefix(std::string_view topic) {
  return std::string(kTopicGroupPrefix) + std::string(topic) + "/";
}

std::string ParkedPrefix(std::string_view topic, std::string_view group) {
  std::string prefix = std::string(kTopicParkedPrefix) + std::string(topic) + "/";
  if (!group.empty()) prefix += std::string(group) + "/";
  return prefix;
}

std::string EncodeGroupState(const GroupState& s) {
  ByteWriter w;
  w.U8(kGroupStateVersion);
  for (const uint64_t v :
       {s.next_offset, s.time_ms, s.ack_wait_ms, s.max_deliveries, s.acked, s.parked, s.dropped}) {
    w.U64(v);
  }
  w.U64(s.types.size());
  for (const std::string& type : s.types) w.Str(type);
  w.U64(s.pending.size());
  for (const auto& [offset, d] : s.pending) {
    w.U64(offset);
    w.Str(d.member);
    w.U64(d.attempt);
    w.U64(d.deadline_ms);
    w.U64(d.failures);
  }
  return std::move(w.out);
}

std::optional<GroupState> DecodeGroupState(std::string_view bytes) {
  ByteReader r{bytes};
  if (r.U8() != kGroupStateVersion) return std::nullopt;
  GroupState s;
  for (uint64_t* v : {&s.next_offset, &s.time_ms, &s.ack_wait_ms, &s.max_deliveries, &s.acked,
                      &s.parked, &s.dropped}) {
    *v = r.U64();
  }
  const uint64_t types = r.Count(8);
  for (uint64_t i = 0; i < types && r.ok; ++i) s.types.push_back(r.Str(kTypeNameBytesMax));
  const uint64_t pending = r.Count(40);
  for (uint64_t i = 0; i < pending && r.ok; ++i) {
    const uint64_t offset = r.U64();
    GroupDelivery& d = s.pending[offset];
    d.member = r.Str(kMemberBytesMax);
    d.attempt = r.U64();
    d.deadline_ms = r.U64();
    d.failures = r.U64();
  }
  if (!r.Done()) return std::nullopt;
  return s;
}

bool IsGroupCommand(const std::string& payload) {
  return !payload.empty() && (static_cast<uint8_t>(payload[0]) == kClaimByte ||
                              static_cast<uint8_t>(payload[0]) == kAckByte);
}

std::string EncodeGroupCommand(const GroupCommand& c) {
  ByteWriter w;
  w.U8(c.claim ? kClaimByte : kAckByte);
  w.Str(c.topic);
  w.Str(c.group);
  w.Str(c.member);
  w.U64(c.now_ms);
  if (c.claim) {
    for (const uint64_t v : {c.max, c.start, c.ack_wait_ms, c.max_deliveries}) w.U64(v);
    w.U64(c.types.size());
    for (const std::string& type : c.types) w.Str(type);
  } else {
    w.U64(c.acks.size());
    for (const GroupAck& ack : c.acks) {
      w.U64(ack.offset);
      w.U64(ack.attempt);
      w.U8(static_cast<uint8_t>(ack.outcome));
    }
    w.Str(c.reason);
  }
  return std::move(w.out);
}

std::optional<GroupCommand> DecodeGroupCommand(const std::string& bytes) {
  if (!IsGroupCommand(bytes)) return std::nullopt;
  ByteReader r{bytes};
  GroupCommand c;
  c.claim = r.U8() == kClaimByte;
  c.topic = r.Str(kTopicNameBytesMax);
  c.group = r.Str(kTopicNameBytesMax);
  c.member = r.Str(kMemberBytesMax);
  c.now_ms = r.U64();
  if (c.claim) {
    for (uint64_t* v : {&c.max, &c.start, &c.ack_wait_ms, &c.max_deliveries}) *v = r.U64();
    const uint64_t types = r.Count(8);
    if (types > kGroupTypesMax) return std::nullopt;
    for (uint64_t i = 0; i < types && r.ok; ++i) c.types.push_back(r.Str(kTypeNameBytesMax));
  } else {
    const uint64_t entries = r.Count(kAckEntryBytes);
    if (entries > kGroupAckMax) return std::nullopt;
    for (uint64_t i = 0; i < entries && r.ok; ++i) {
      GroupAck ack{r.U64(), r.U64(), static_cast<GroupOutcome>(r.U8())};
      if (ack.outcome > GroupOutcome::kRelease) return std::nullopt;
      c.acks.push_back(ack);
    }
    c.reason = r.Str(kFailReasonBytesMax);
  }
  if (!r.Done()) return std::nullopt;
  return c;
}

std::string CheckGroupCommand(const GroupCommand& c) {
  if (!IsTopicName(c.topic)) return BadName("topic name", c.topic, kTopicNameBytesMax);
  if (!IsTopicName(c.group)) return BadName("group name", c.group, kTopicNameBytesMax);
  if (c.member.empty() || c.member.size() > kMemberBytesMax) {
    return "a group member's name must be 1 to " + std::to_string(kMemberBytesMax) + " bytes";
  }
  if (c.reason.size() > kFailReasonBytesMax) return "a failure's reason is too long";
  if (!c.claim) return c.acks.size() <= kGroupAckMax ? "" : "too many entries in one ack";
  if (c.max < 1 || c.max > kGroupClaimMax) {
    return "a claim takes 1 to " + std::to_string(kGroupClaimMax) + " objects";
  }
  if (c.ack_wait_ms != 0 &&
      (c.ack_wait_ms < kGroupAckWaitMsMin || c.ack_wait_ms > kGroupAckWaitMsMax)) {
    return std::string(kTopicInvalid) + "--ack-wait-ms must be " +
           std::to_string(kGroupAckWaitMsMin) + " to " + std::to_string(kGroupAckWaitMsMax);
  }
  if (c.max_deliveries > kGroupMaxDeliveriesMax) {
    return std::string(kTopicInvalid) + "--max-deliveries must be 1 to " +
           std::to_string(kGroupMaxDeliveriesMax);
  }
  if (c.types.size() > kGroupTypesMax) {
    return std::string(kTopicInvalid) + "a group takes at most " + std::to_string(kGroupTypesMax) +
           " types";
  }
  std::set<std::string> seen;
  for (const std::string& type : c.types) {
    if (!IsTopicName(type, kTypeNameBytesMax)) {
      return std::string(kTopicInvalid) + BadName("type name", type, kTypeNameBytesMax);
    }
    if (!seen.insert(type).second)
      return std::string(kTopicInvalid) + "type '" + type + "' given twice";
  }
  return "";
}

}  // namespace pifleet::sm
