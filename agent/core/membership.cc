#include "agent/core/membership.h"

#include <algorithm>

#include "agent/base/assert.h"
#include "agent/core/command_check.h"

namespace pifleet::core {
namespace {
void AddUnique(std::vector<NodeId>& out, const std::vector<NodeId>& ids) {
  for (NodeId id : ids) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
}
}  // namespace

Membership::Membership(Config initial, Canary canary) : canary_(canary) {
  PIFLEET_ASSERT_MSG(CheckConfig(initial).ok(), "the initial configuration is checked at load");
  entries_.emplace_back(1, std::move(initial));
}

Membership::Outcome Membership::OnApplied(Slot slot, const Command& reconfig) {
  PIFLEET_ASSERT(reconfig.kind == CommandKind::kReconfig);
  // Decided means it is in every replica's log for good: refusing it is the only answer that
  // neither stops the cluster nor differs between replicas.
  if (!CheckConfig(reconfig.config).ok()) return Outcome::kRefused;
  // A replayed reconfiguration names a configuration that has been replaced since, and so does
  // the loser of two proposed against the same one (the canary lets both through).
  if (reconfig.replaces != LatestFirstSlot() && canary_ != Canary::kReconfigWithoutCas) {
    return Outcome::kStale;
  }
  const Slot first = slot + kWindowSlots;
  PIFLEET_ASSERT_MSG(first >= entries_.back().first, "reconfigurations apply in slot order");
  if (first == entries_.back().first) {
    entries_.back().second = reconfig.config;  // only the canary gets two into one slot
  } else {
    entries_.emplace_back(first, reconfig.config);
  }
  PIFLEET_ASSERT(Latest() == reconfig.config);
  return Outcome::kApplied;
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

std::vector<std::pair<Slot, Config>> Membership::EntriesFrom(Slot slot) const {
  std::vector<std::pair<Slot, Config>> out;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const bool superseded = i + 1 < entries_.size() && entries_[i + 1].first <= slot;
    if (!superseded) out.push_back(entries_[i]);
  }
  return out;
}

void Membership::DropBefore(Slot slot) {
  size_t drop = 0;
  while (drop + 1 < entries_.size() && entries_[drop + 1].first <= slot) ++drop;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(drop));
}

void Membership::Restore(std::vector<std::pair<Slot, Config>> entries) {
  PIFLEET_ASSERT(!entries.empty());
  for (size_t i = 0; i < entries.size(); ++i) {
    PIFLEET_ASSERT(CheckConfig(entries[i].second).ok());  // DecodeSnapshot checks each
    PIFLEET_ASSERT(i == 0 || entries[i - 1].first < entries[i].first);
  }
  entries_ = std::move(entries);
}

}  // namespace pifleet::core
