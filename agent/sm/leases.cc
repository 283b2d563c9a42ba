#include "agent/sm/leases.h"

namespace pifleet::sm {

bool IsLeaseCommand(const std::string& payload) {
  if (payload.empty()) return false;
  const auto kind = static_cast<uint8_t>(payload[0]);
  return kind >= static_cast<uint8_t>(LeaseCommandKind::kGrant) &&
         kind <= static_cast<uint8_t>(LeaseCommandKind::kExpire);
}

std::string EncodeLeaseCommand(const LeaseCommand& command) {
  ByteWriter w;
  w.U8(static_cast<uint8_t>(command.kind));
  switch (command.kind) {
    case LeaseCommandKind::kGrant:
      w.U64(command.ttl_ms);
      break;
    case LeaseCommandKind::kKeepAlive:
    case LeaseCommandKind::kRevoke:
      w.U64(command.id);
      break;
    case LeaseCommandKind::kExpire:
      w.U64(command.expire.size());
      for (const auto& [id, keepalives] : command.expire) {
        w.U64(id);
        w.U64(keepalives);
      }
      break;
  }
  return std::move(w.out);
}

std::optional<LeaseCommand> DecodeLeaseCommand(const std::string& payload) {
  if (!IsLeaseCommand(payload)) return std::nullopt;
  ByteReader r{payload};
  LeaseCommand command;
  command.kind = static_cast<LeaseCommandKind>(r.U8());
  if (command.kind == LeaseCommandKind::kGrant) {
    command.ttl_ms = r.U64();
  } else if (command.kind == LeaseCommandKind::kExpire) {
    const uint64_t count = r.U64();
    if (count > kLeaseExpireMax) return std::nullopt;
    for (uint64_t i = 0; i < count && r.ok; ++i) {
      const uint64_t id = r.U64();
      command.expire.emplace_back(id, r.U64());
    }
  } else {
    command.id = r.U64();
  }
  if (!r.Done()) return std::nullopt;
  return command;
}

uint64_t LeaseTable::Grant(uint64_t ttl_ms) {
  if (leases_.size() >= kLeasesMax || ttl_ms < kLeaseTtlMsMin || ttl_ms > kLeaseTtlMsMax) return 0;
  leases_[++last_id_] = Lease{ttl_ms, 0};
  return last_id_;
}

bool LeaseTable::KeepAlive(uint64_t id) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return false;
  it->second.keepalives += 1;
  return true;
}

bool LeaseTable::Remove(uint64_t id) { return leases_.erase(id) > 0; }

const Lease* LeaseTable::Find(uint64_t id) const {
  auto it = leases_.find(id);
  return it == leases_.end() ? nullptr : &it->second;
}

void LeaseTable::EncodeTo(ByteWriter& w) const {
  w.U64(last_id_);
  w.U64(leases_.size());
  for (const auto& [id, lease] : leases_) {
    w.U64(id);
    w.U64(lease.ttl_ms);
    w.U64(lease.keepalives);
  }
}

bool LeaseTable::DecodeFrom(ByteReader& r) {
  const uint64_t last_id = r.U64();
  const uint64_t count = r.Count(24);
  if (!r.ok || count > kLeasesMax) return false;
  std::map<uint64_t, Lease> leases;
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    const uint64_t id = r.U64();
    Lease lease;
    lease.ttl_ms = r.U64();
    lease.keepalives = r.U64();
    if (id == 0 || id > last_id || (!leases.empty() && id <= leases.rbegin()->first)) return false;
    leases[id] = lease;
  }
  if (!r.ok) return false;
  leases_ = std::move(leases);
  last_id_ = last_id;
  return true;
}

}  // namespace pifleet::sm
