#include "agent/core/membership.h"

#include <algorithm>

#include "agent/base/assert.h"

namespace pifleet::core {
namespace {
void AddUnique(std::vector<NodeId>& out, const std::vector<NodeId>& ids) {
  for (NodeId id : ids) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
}
}  // namespace

Membership::Membership(Config initial, Canary canary) : canary_(canary) {
  PIFLEET_ASSERT(!initial.voters.empty() && initial.voters.size() <= kVotersMax);
  entries_.emplace_back(1, std::move(initial));
}

void Membership::OnApplied(Slot slot, const Config& config) {
  PIFLEET_ASSERT(!config.voters.empty() && config.voters.size() <= kVotersMax);
  const Slot first = slot + kWindowSlots;
  PIFLEET_ASSERT_MSG(first >= entries_.back().first, "reconfigurations apply in slot order");
  if (first == entries_.back().first) {
    entries_.back().second = config;  // two in one batch: the later one wins
  } else {
    entries_.emplace_back(first, config);
  }
}

const Config& Membership::ForSlot(Slot slot) const {
  for (size_t i = entries_.size(); i-- > 0;) {
    if (entries_[i].first <= slot) return entries_[i].second;
  }
  return entries_.front().second;
}

size_t Membership::QuorumSize(const Config& config) const {
  const size_t majority = config.voters.size() / 2 + 1;
  return canary_ == Canary::kQuorumOneShort ? majority - 1 : majority;
}

std::vector<NodeId> Membership::NodesFrom(Slot slot) const {
  std::vector<NodeId> out;
  for (const auto& [first, config] : entries_) {
    if (&config == &ForSlot(slot) || first > slot) {
      AddUnique(out, config.voters);
      AddUnique(out, config.learners);
    }
  }
  return out;
}

std::vector<NodeId> Membership::WindowVoters(Slot from) const {
  std::vector<NodeId> out;
  for (const auto& [first, config] : entries_) {
    if (&config == &ForSlot(from) || (first > from && first < from + kWindowSlots)) {
      AddUnique(out, config.voters);
    }
  }
  return out;
}

}  // namespace pifleet::core
