// Consumer groups of a topic (docs/topics.md, "Consumer groups"): each object goes to one member
// at a time, and counts as processed when that member acknowledges it. A group's state is one kv
// value, so claims and acknowledgements are log commands like every other topic command:
//   pifleet/topic/group/<topic>/<group>            GroupState (binary, below)
//   pifleet/topic/parked/<topic>/<group>/<offset>  a parked object's story (JSON text)
// Commands (strings: u64 length + bytes, agent/base/bytes.h):
//   claim: 0x74 | topic | group | member | now_ms u64 | max u64 | start u64 | ack_wait_ms u64
//          | max_deliveries u64 | types u64 count, each a string
//   ack:   0x75 | topic | group | member | now_ms u64 | entries u64 count, each:
//          offset u64, attempt u64, outcome u8 (GroupOutcome) | reason (for kFail)
// Every delivery carries an attempt number, the fencing token: an acknowledgement commits only
// for the delivery that is current, so a member replaced after its ack wait is refused. Time is
// log time: the agent stamps each command with its wall clock; a group keeps the latest it saw.
// Results:
//   claim: "REVISION WAIT_MS" then " d:OFFSET:ATTEMPT" per delivery, " p:OFFSET" per object
//          parked by this command, " x:N" when N objects were dropped by retention before the
//          group had them. WAIT_MS: until the group's earliest ack deadline (0: none pending).
//   ack:   "REVISION" then " s:OFFSET" per refused (stale) entry and " p:OFFSET" per parked one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sm/kv.h"

namespace pifleet::sm {

inline constexpr std::string_view kTopicGroupPrefix = "pifleet/topic/group/";
inline constexpr std::string_view kTopicParkedPrefix = "pifleet/topic/parked/";

inline constexpr uint64_t kGroupAckWaitMsDefault = 30'000;
inline constexpr uint64_t kGroupAckWaitMsMin = 100;
inline constexpr uint64_t kGroupAckWaitMsMax = 3'600'000;
inline constexpr uint64_t kGroupMaxDeliveriesDefault = 5;
inline constexpr uint64_t kGroupMaxDeliveriesMax = 100;
// Unacknowledged deliveries of one group: a claim beyond them gets nothing until acks come.
inline constexpr size_t kGroupPendingMax = 256;
inline constexpr size_t kGroupClaimMax = 64;  // deliveries one claim hands out
inline constexpr size_t kGroupAckMax = 256;   // entries in one ack command
inline constexpr size_t kGroupsPerTopicMax = 32;
inline constexpr size_t kGroupParkedMax = 1000;  // parked objects kept per group: oldest go
inline constexpr size_t kGroupTypesMax = 16;
inline constexpr size_t kMemberBytesMax = 128;
inline constexpr size_t kFailReasonBytesMax = 512;
// A claim's start: the oldest retained object (0) or the next one published (kStartLatest).
inline constexpr uint64_t kStartLatest = UINT64_MAX;

enum class GroupOutcome : uint8_t { kAck = 0, kFail = 1, kRelease = 2 };

struct GroupAck {
  uint64_t offset = 0;
  uint64_t attempt = 0;
  GroupOutcome outcome = GroupOutcome::kAck;
  bool operator==(const GroupAck&) const = default;
};

struct GroupCommand {
  bool claim = true;  // false: ack
  std::string topic;
  std::string group;
  std::string member;
  uint64_t now_ms = 0;
  uint64_t max = 1;                // claim
  uint64_t start = 0;              // claim: where a new group starts
  uint64_t ack_wait_ms = 0;        // claim: 0 the group's (a new group: the default)
  uint64_t max_deliveries = 0;     // claim: 0 the group's (a new group: the default)
  std::vector<std::string> types;  // claim: the group's types (empty: every type)
  std::vector<GroupAck> acks;      // ack
  std::string reason;              // ack: why the kFail entries failed
  bool operator==(const GroupCommand&) const = default;
};

struct GroupDelivery {
  std::string member;  // "" while it waits for redelivery
  uint64_t attempt = 0;
  uint64_t deadline_ms = 0;
  uint64_t failures = 0;  // deliveries that failed or passed their ack wait
  bool operator==(const GroupDelivery&) const = default;
};

struct GroupState {
  uint64_t next_offset = 0;  // the next object never delivered
  uint64_t time_ms = 0;      // the latest log time the group saw
  uint64_t ack_wait_ms = kGroupAckWaitMsDefault;
  uint64_t max_deliveries = kGroupMaxDeliveriesDefault;
  std::vector<std::string> types;
  uint64_t acked = 0;    // objects acknowledged
  uint64_t parked = 0;   // objects parked after max_deliveries failures
  uint64_t dropped = 0;  // objects retention dropped before they were acknowledged
  std::map<uint64_t, GroupDelivery> pending;
  bool operator==(const GroupState&) const = default;
};

std::string GroupKey(std::string_view topic, std::string_view group);
std::string GroupsPrefix(std::string_view topic);  // every group of the topic
std::string ParkedPrefix(std::string_view topic, std::string_view group = "");
std::string EncodeGroupState(const GroupState& state);
std::optional<GroupState> DecodeGroupState(std::string_view bytes);

bool IsGroupCommand(const std::string& payload);
std::string EncodeGroupCommand(const GroupCommand& command);
std::optional<GroupCommand> DecodeGroupCommand(const std::string& bytes);
// "" when the command is within its bounds whatever the state; otherwise why.
std::string CheckGroupCommand(const GroupCommand& command);
KvResult ApplyGroupCommand(const std::string& payload, KvStore& kv);

}  // namespace pifleet::sm
