#include "agent/core/durable.h"

namespace pifleet::core {

void DurableState::Apply(const Record& record) {
  if (const auto* promise = std::get_if<PromiseRecord>(&record)) {
    if (promise->ballot > promised) promised = promise->ballot;
    return;
  }
  if (const auto* decision = std::get_if<DecisionRecord>(&record)) {
    if (decision->slot <= snapshot_slot) return;
    if (decision->accepted_ballot.IsNull()) {
      decisions[decision->slot] = decision->value;
      return;
    }
    // Written after the accept it names, so here the fold holds that accept unless compacted.
    auto it = accepted.find(decision->slot);
    if (it != accepted.end() && it->second.ballot == decision->accepted_ballot) {
      decisions[decision->slot] = it->second.value;
    } else {
      decisions_unresolved[decision->slot] = decision->accepted_ballot;
    }
    return;
  }
  if (const auto* marker = std::get_if<SnapshotRecord>(&record)) {
    if (marker->slot <= snapshot_slot) return;
    snapshot_slot = marker->slot;
    snapshot_hash = marker->hash;
    accepted.erase(accepted.begin(), accepted.upper_bound(snapshot_slot));
    decisions.erase(decisions.begin(), decisions.upper_bound(snapshot_slot));
    decisions_unresolved.erase(decisions_unresolved.begin(),
                               decisions_unresolved.upper_bound(snapshot_slot));
    return;
  }
  const PValue& pvalue = std::get<AcceptRecord>(record).pvalue;
  if (pvalue.ballot > promised) promised = pvalue.ballot;
  if (pvalue.slot <= snapshot_slot) return;
  auto it = accepted.find(pvalue.slot);
  if (it == accepted.end() || it->second.ballot <= pvalue.ballot) accepted[pvalue.slot] = pvalue;
}

}  // namespace pifleet::core
