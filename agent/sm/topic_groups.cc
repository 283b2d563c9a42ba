#include "agent/sm/topic_groups.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "agent/sm/kv_txn.h"
#include "agent/sm/topic_keys.h"

namespace pifleet::sm {
namespace {

KvResult Refuse(std::string why) { return KvResult{false, std::move(why)}; }

// What one group command changes: the group's state, the puts and deletes beside it, the result.
struct GroupApply {
  const GroupCommand& command;
  const TopicMeta& meta;
  KvStore& kv;
  GroupState state;
  std::vector<wire::TxnOpBody> ops;
  std::string tokens;
  size_t parked_keys = 0;  // parked keys of the group now (counted when the first one is added)
  bool parked_counted = false;
};

// Parks `offset` after its last failed delivery: its story is kept under the parked prefix (at
// most kGroupParkedMax per group; the oldest goes) and it is never delivered again.
void Park(GroupApply& a, uint64_t offset, const std::string& reason) {
  const GroupDelivery d = a.state.pending.at(offset);
  a.state.pending.erase(offset);
  a.state.parked += 1;
  const std::string prefix = ParkedPrefix(a.command.topic, a.command.group);
  if (!a.parked_counted) {
    KvStore::Budget budget{kGroupParkedMax + 1, SIZE_MAX};
    bool more = false;
    const auto rows = a.kv.Range(prefix, PrefixEnd(prefix), kGroupParkedMax + 1, &budget, &more);
    a.parked_keys = rows.size();
    a.parked_counted = true;
    if (a.parked_keys >= kGroupParkedMax) {
      a.ops.push_back({wire::TxnOpBody::kDelete, rows.front().key, "", "", 0, 0});
      a.parked_keys -= 1;
    }
  }
  a.parked_keys += 1;
  const nlohmann::json story = {{"offset", offset},       {"deliveries", d.attempt},
                                {"failures", d.failures}, {"last_member", d.member},
                                {"reason", reason},       {"time_ms", a.state.time_ms}};
  a.ops.push_back({wire::TxnOpBody::kPut, prefix + OffsetHex(offset), "",
                   story.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 0, 0});
  a.tokens += " p:" + std::to_string(offset);
}

// A delivery that failed: back to the group for another member, or parked at max_deliveries.
void Failed(GroupApply& a, uint64_t offset, const std::string& reason) {
  GroupDelivery& d = a.state.pending.at(offset);
  d.failures += 1;
  if (d.failures >= a.state.max_deliveries) return Park(a, offset, reason);
  d.member.clear();
}

// Deliveries past their ack wait fail; objects retention dropped leave the group.
void Tidy(GroupApply& a) {
  std::vector<uint64_t> expired;
  for (const auto& [offset, d] : a.state.pending) {
    if (!d.member.empty() && d.deadline_ms <= a.state.time_ms) expired.push_back(offset);
  }
  for (const uint64_t offset : expired) {
    const std::string member = a.state.pending.at(offset).member;
    Failed(a, offset,
           "no acknowledgement from " + member + " within the ack wait of " +
               std::to_string(a.state.ack_wait_ms) + " ms");
  }
  uint64_t dropped = 0;
  while (!a.state.pending.empty() && a.state.pending.begin()->first < a.meta.first_offset) {
    a.state.pending.erase(a.state.pending.begin());
    dropped += 1;
  }
  if (a.state.next_offset < a.meta.first_offset) {
    dropped += a.meta.first_offset - a.state.next_offset;
    a.state.next_offset = a.meta.first_offset;
  }
  a.state.dropped += dropped;
  if (dropped > 0) a.tokens += " x:" + std::to_string(dropped);
}

// Does the group take the object at `offset` (of one of its types)? False when it is gone.
bool Wanted(const GroupApply& a, uint64_t offset) {
  if (a.state.types.empty()) return a.kv.Find(TopicDataKey(a.command.topic, offset)).has_value();
  const std::optional<std::string> value = a.kv.Find(TopicDataKey(a.command.topic, offset));
  const std::optional<TopicObject> object = value ? DecodeTopicObject(*value) : std::nullopt;
  return object &&
         std::find(a.state.types.begin(), a.state.types.end(), object->type) != a.state.types.end();
}

// Objects of other types a claim looks past at most: a claim's work stays bounded, and the
// member asks again at once (" more").
constexpr uint64_t kClaimScanMax = 4096;

void Claim(GroupApply& a) {
  GroupState& s = a.state;
  const uint64_t want = a.command.max;
  uint64_t given = 0;
  const uint64_t deadline_ms = s.time_ms + s.ack_wait_ms;
  for (auto& [offset, d] : s.pending) {
    if (given == want) break;
    if (!d.member.empty()) continue;
    d = {a.command.member, d.attempt + 1, deadline_ms, d.failures};
    a.tokens += " d:" + std::to_string(offset) + ":" + std::to_string(d.attempt);
    given += 1;
  }
  uint64_t scanned = 0;
  while (given < want && s.pending.size() < kGroupPendingMax &&
         s.next_offset < a.meta.next_offset && scanned < kClaimScanMax) {
    const uint64_t offset = s.next_offset++;
    scanned += 1;
    if (!Wanted(a, offset)) continue;
    s.pending[offset] = {a.command.member, 1, deadline_ms, 0};
    a.tokens += " d:" + std::to_string(offset) + ":1";
    given += 1;
  }
  const bool waiting = std::any_of(s.pending.begin(), s.pending.end(),
                                   [](const auto& p) { return p.second.member.empty(); });
  if (waiting || (s.next_offset < a.meta.next_offset && s.pending.size() < kGroupPendingMax)) {
    a.tokens += " more";
  }
}

void Ack(GroupApply& a) {
  for (const GroupAck& ack : a.command.acks) {
    const auto it = a.state.pending.find(ack.offset);
    if (it == a.state.pending.end() || it->second.member != a.command.member ||
        it->second.attempt != ack.attempt) {
      a.tokens += " s:" + std::to_string(ack.offset);
      continue;
    }
    switch (ack.outcome) {
      case GroupOutcome::kAck:
        a.state.pending.erase(it);
        a.state.acked += 1;
        break;
      case GroupOutcome::kFail:
        Failed(a, ack.offset, a.command.reason.empty() ? "failed" : a.command.reason);
        break;
      case GroupOutcome::kRelease:
        it->second.member.clear();
        break;
    }
  }
}

// The group's state for this command: read, or new for a first claim; nullopt and *why else.
std::optional<GroupState> Load(const GroupCommand& c, const TopicMeta& meta, const KvStore& kv,
                               std::string* why) {
  const std::optional<std::string> value = kv.Find(GroupKey(c.topic, c.group));
  if (!value && !c.claim) {
    return *why = "no group '" + c.group + "' on topic '" + c.topic + "'", std::nullopt;
  }
  if (!value) {
    const std::string prefix = GroupsPrefix(c.topic);
    KvStore::Budget budget{kGroupsPerTopicMax, SIZE_MAX};
    bool more = false;
    if (kv.Range(prefix, PrefixEnd(prefix), kGroupsPerTopicMax, &budget, &more).size() >=
        kGroupsPerTopicMax) {
      *why = "topic '" + c.topic + "' has " + std::to_string(kGroupsPerTopicMax) +
             " groups already (the limit)";
      return std::nullopt;
    }
    GroupState s;
    s.next_offset =
        c.start == kStartLatest ? meta.next_offset : std::max(c.start, meta.first_offset);
    if (c.ack_wait_ms != 0) s.ack_wait_ms = c.ack_wait_ms;
    if (c.max_deliveries != 0) s.max_deliveries = c.max_deliveries;
    s.types = c.types;
    return s;
  }
  std::optional<GroupState> s = DecodeGroupState(*value);
  if (!s) return *why = "group '" + c.group + "' has a state this agent cannot read", std::nullopt;
  if (!c.claim) return s;
  const std::string fixed = " (fixed when the group was made: use another group name to change it)";
  if (c.ack_wait_ms != 0 && c.ack_wait_ms != s->ack_wait_ms) {
    *why = "invalid: group '" + c.group + "' has an ack wait of " + std::to_string(s->ack_wait_ms) +
           " ms" + fixed;
  } else if (c.max_deliveries != 0 && c.max_deliveries != s->max_deliveries) {
    *why = "invalid: group '" + c.group + "' has max deliveries " +
           std::to_string(s->max_deliveries) + fixed;
  } else if (!c.types.empty() && c.types != s->types) {
    *why = "invalid: group '" + c.group + "' takes other types" + fixed;
  }
  return why->empty() ? s : std::nullopt;
}

// Milliseconds until the earliest ack deadline of the group (0: nothing delivered).
uint64_t WaitMs(const GroupState& s) {
  uint64_t earliest = UINT64_MAX;
  for (const auto& [offset, d] : s.pending) {
    if (!d.member.empty()) earliest = std::min(earliest, d.deadline_ms);
  }
  if (earliest == UINT64_MAX) return 0;
  return earliest > s.time_ms ? earliest - s.time_ms : 1;
}

}  // namespace

KvResult ApplyGroupCommand(const std::string& payload, KvStore& kv) {
  const std::optional<GroupCommand> command = DecodeGroupCommand(payload);
  if (!command) return Refuse("malformed group command");
  if (std::string why = CheckGroupCommand(*command); !why.empty()) return Refuse(why);
  const std::optional<std::string> meta_value = kv.Find(TopicMetaKey(command->topic));
  if (!meta_value) return Refuse("no topic '" + command->topic + "'");
  const std::optional<TopicMeta> meta = DecodeTopicMeta(*meta_value);
  if (!meta) return Refuse("topic '" + command->topic + "' has a state this agent cannot read");
  std::string why;
  std::optional<GroupState> state = Load(*command, *meta, kv, &why);
  if (!state) return Refuse(why);
  GroupApply a{*command, *meta, kv, std::move(*state), {}, "", 0, false};
  a.state.time_ms = std::max(a.state.time_ms, command->now_ms);
  Tidy(a);
  command->claim ? Claim(a) : Ack(a);
  a.ops.push_back({wire::TxnOpBody::kPut, GroupKey(command->topic, command->group), "",
                   EncodeGroupState(a.state), 0, 0});
  const KvResult result = kv.Apply(EncodeKvTxn(wire::TxnRequestBody{{}, std::move(a.ops), {}}));
  if (!result.ok) return Refuse("the store refused the group command: " + result.output);
  std::string head = std::to_string(kv.revision());
  if (command->claim) head += " " + std::to_string(WaitMs(a.state));
  return KvResult{true, head + a.tokens};
}

}  // namespace pifleet::sm
