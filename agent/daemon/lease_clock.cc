#include "agent/daemon/lease_clock.h"

#include "agent/daemon/daemon_constants.h"

namespace pifleet::daemon {

std::vector<std::pair<uint64_t, uint64_t>> LeaseClock::Due(const sm::LeaseTable& table, bool leader,
                                                           uint64_t now_ms) {
  if (leader && !leader_) seen_.clear();  // a new leader counts every TTL from its own start
  leader_ = leader;
  std::map<uint64_t, Seen> next;
  for (const auto& [id, lease] : table.leases()) {
    auto it = seen_.find(id);
    const bool same = it != seen_.end() && it->second.keepalives == lease.keepalives;
    next[id] = same ? it->second : Seen{lease.keepalives, now_ms};
  }
  seen_ = std::move(next);
  std::vector<std::pair<uint64_t, uint64_t>> due;
  if (!leader_) return due;
  for (const auto& [id, seen] : seen_) {
    if (now_ms - seen.since_ms >= table.Find(id)->ttl_ms && due.size() < sm::kLeaseExpireMax) {
      due.emplace_back(id, seen.keepalives);
    }
  }
  return due;
}

std::optional<std::string> LeaseClock::ExpiryDue(const sm::LeaseTable& table, bool leader,
                                                 uint64_t ticks, uint64_t now_ms) {
  if (ticks % kLeaseCheckTicks != 0) return std::nullopt;
  const auto due = Due(table, leader, now_ms);
  if (due.empty() || ticks < expiry_tick_ + kMaintenanceTicks) return std::nullopt;
  expiry_tick_ = ticks;
  return sm::EncodeLeaseCommand({sm::LeaseCommandKind::kExpire, 0, 0, due});
}

int64_t LeaseClock::RemainingMs(uint64_t id, const sm::LeaseTable& table, uint64_t now_ms) const {
  auto it = seen_.find(id);
  const sm::Lease* lease = table.Find(id);
  if (!leader_ || it == seen_.end() || lease == nullptr) return -1;
  const uint64_t elapsed = now_ms - it->second.since_ms;
  return elapsed >= lease->ttl_ms ? 0 : static_cast<int64_t>(lease->ttl_ms - elapsed);
}

}  // namespace pifleet::daemon
