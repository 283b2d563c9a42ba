#include "agent/sm/state_machine.h"

#include "agent/base/fast_hash.h"
#include "agent/sm/session_commands.h"
#include "agent/sm/topic_groups.h"
#include "agent/sm/topics.h"

namespace pifleet::sm {

KvResult StateMachine::Apply(uint64_t slot, uint64_t session, uint64_t sequence,
                             const std::string& payload) {
  if (IsSessionCommand(payload)) return ApplySessionCommand(payload);
  KvResult result;
  switch (sessions_.Check(session, sequence, &result)) {
    case SessionTable::Verdict::kUnknown:
      return KvResult{false, "unknown or expired session", false, KvResult::Outcome::kRefused};
    case SessionTable::Verdict::kStale:
      return KvResult{false, "stale sequence", false, KvResult::Outcome::kRefused};
    case SessionTable::Verdict::kDuplicate:
      result.outcome = KvResult::Outcome::kDuplicate;
      return result;
    case SessionTable::Verdict::kNew:
      break;
  }
  result = Execute(slot, session, sequence, payload);
  sessions_.Record(session, sequence, result);
  return result;
}

KvResult StateMachine::Execute(uint64_t slot, uint64_t session, uint64_t sequence,
                               const std::string& payload) {
  if (IsMembersCommand(payload)) return KvResult{members_.Apply(slot, payload), ""};
  if (IsKeyCommand(payload)) {
    std::string error = keys_.Apply(slot, session, sequence, payload);
    return KvResult{error.empty(), std::move(error)};
  }
  if (IsLeaseCommand(payload)) return ApplyLeaseCommand(payload);
  if (IsJobCommand(payload)) return jobs_.Apply(payload, members_, job_stale_canary_);
  if (IsTopicCommand(payload)) return ApplyTopicCommand(payload, kv_);
  if (IsGroupCommand(payload)) return ApplyGroupCommand(payload, kv_);
  return kv_.Apply(payload, &leases_);
}

KvResult StateMachine::ApplyLeaseCommand(const std::string& payload) {
  const std::optional<LeaseCommand> command = DecodeLeaseCommand(payload);
  if (!command) return KvResult{false, "malformed lease command"};
  const std::string missing = "lease " + std::to_string(command->id) + " not found";
  switch (command->kind) {
    case LeaseCommandKind::kGrant: {
      const uint64_t id = leases_.Grant(command->ttl_ms);
      if (id == 0) {
        return KvResult{false, "lease TTL out of range (1 s to 24 h) or " +
                                   std::to_string(kLeasesMax) + " leases held"};
      }
      return KvResult{true, std::to_string(id)};
    }
    case LeaseCommandKind::kKeepAlive:
      if (!leases_.KeepAlive(command->id)) return KvResult{false, missing};
      return KvResult{true, std::to_string(leases_.Find(command->id)->ttl_ms)};
    case LeaseCommandKind::kRevoke: {
      if (!leases_.Remove(command->id)) return KvResult{false, missing};
      const uint64_t deleted = kv_.DeleteLeaseKeys({command->id});
      return KvResult{true, std::to_string(kv_.revision()) + " " + std::to_string(deleted)};
    }
    case LeaseCommandKind::kExpire: {
      // Only a lease not kept alive since the leader looked: a keepalive applied in between wins.
      std::vector<uint64_t> ended;
      for (const auto& [id, keepalives] : command->expire) {
        const Lease* lease = leases_.Find(id);
        if (lease != nullptr && lease->keepalives == keepalives && leases_.Remove(id)) {
          ended.push_back(id);
        }
      }
      const uint64_t deleted = ended.empty() ? 0 : kv_.DeleteLeaseKeys(ended);
      return KvResult{true, std::to_string(ended.size()) + " " + std::to_string(deleted)};
    }
  }
  return KvResult{false, "unknown lease command"};
}

KvResult StateMachine::ApplySessionCommand(const std::string& payload) {
  const std::optional<SessionCommand> command = DecodeSessionCommand(payload);
  if (!command) return KvResult{false, "malformed session command"};
  if (command->kind == SessionCommandKind::kExpire) {
    const uint32_t dropped = sessions_.Expire(command->now_ms, command->idle_ms);
    return KvResult{true, std::to_string(dropped)};
  }
  KvResult result;
  result.session = sessions_.Register(command->now_ms);
  return result;
}

namespace {

constexpr std::string_view kSnapshotMagic = "PFSM";
// 7: the job table follows the removed ids.
// 6 (the kv store carries its revision and each key's create and mod revision, version and
// lease, and the lease table follows it), 5 (client sessions (ids of their own) follow the kv
// store, and the ids `pifleet leave` removed follow the keys), 4 (either of two development
// formats), 3 (per-client sequences inside the kv store, no removed ids), 2 (member strings clipped
// to 255 bytes) and 1 (no key section) are refused: the node then needs `pifleet repair` and
// catches up from its peers.
constexpr uint8_t kSnapshotVersion = 7;

}  // namespace

std::string StateMachine::Snapshot(size_t size_hint_bytes) const {
  std::string out;
  out.reserve(size_hint_bytes);
  AppendSnapshot(&out);
  return out;
}

void StateMachine::AppendSnapshot(std::string* out) const {
  ByteWriter w{std::move(*out)};
  w.out.append(kSnapshotMagic);
  w.U8(kSnapshotVersion);
  kv_.EncodeTo(w);
  leases_.EncodeTo(w);
  sessions_.EncodeTo(w);
  members_.EncodeTo(w);
  keys_.EncodeTo(w);
  members_.EncodeRemovedTo(w);
  jobs_.EncodeTo(w);
  *out = std::move(w.out);
}

bool StateMachine::Restore(std::string_view bytes) {
  if (bytes.substr(0, kSnapshotMagic.size()) != kSnapshotMagic) return false;
  ByteReader r{bytes.substr(kSnapshotMagic.size())};
  if (r.U8() != kSnapshotVersion) return false;
  KvStore kv;
  LeaseTable leases;
  SessionTable sessions;
  MembersTable members;
  KeyState keys;
  JobTable jobs;
  if (!kv.DecodeFrom(r) || !leases.DecodeFrom(r) || !sessions.DecodeFrom(r) ||
      !members.DecodeFrom(r) || !keys.DecodeFrom(r) || !members.DecodeRemovedFrom(r) ||
      !jobs.DecodeFrom(r) || !r.ok || !r.in.empty()) {
    return false;
  }
  kv_ = std::move(kv);
  leases_ = std::move(leases);
  sessions_ = std::move(sessions);
  members_ = std::move(members);
  keys_ = std::move(keys);
  jobs_ = std::move(jobs);
  return true;
}

uint64_t StateMachine::StateHash() const { return Xxh3Hash64(Snapshot()); }

}  // namespace pifleet::sm
