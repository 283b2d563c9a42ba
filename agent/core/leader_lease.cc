#include "agent/core/leader_lease.h"

#include <algorithm>

#include "agent/core/constants.h"

namespace pifleet::core {

void LeaderLease::Want(uint64_t now) {
  wanted_until_ = std::max(wanted_until_, now + kLeaseWantTicks);
}

uint64_t LeaderLease::Stamp(uint64_t now) {
  // Grants of a stamp older than a lease could extend it no further than it stands.
  std::erase_if(grants_, [&](const auto& entry) { return entry.first + kLeaseTicks <= now; });
  if (!wanted(now) || now == 0) return 0;
  grants_.try_emplace(now);
  return now;
}

void LeaderLease::OnGrant(NodeId from, uint64_t stamp, const Config& config, size_t quorum) {
  auto it = grants_.find(stamp);
  if (it == grants_.end() || !config.IsVoter(from)) return;
  it->second.insert(from);
  size_t votes = 0;
  for (NodeId voter : config.voters) votes += it->second.count(voter);
  if (votes < quorum) return;
  held_until_ = std::max<uint64_t>(held_until_, stamp + kLeaseTicks - kLeaseMarginTicks);
}

bool LeaderLease::Held(uint64_t now) const {
  // The canary's lease never runs out once taken: a leader cut off from the others keeps
  // answering reads from a state that a new leader has moved past.
  if (canary_ == Canary::kLeaseOutlivesExpiry) return held_until_ != 0;
  return now < held_until_;
}

void LeaderLease::Drop() {
  held_until_ = 0;
  grants_.clear();
}

}  // namespace pifleet::core
