#include "agent/core/durable.h"

namespace pifleet::core {

void DurableState::Apply(const Record& record) {
  if (const auto* promise = std::get_if<PromiseRecord>(&record)) {
    if (promise->ballot > promised) promised = promise->ballot;
    return;
  }
  const PValue& pvalue = std::get<AcceptRecord>(record).pvalue;
  if (pvalue.ballot > promised) promised = pvalue.ballot;
  auto it = accepted.find(pvalue.slot);
  if (it == accepted.end() || it->second.ballot <= pvalue.ballot) accepted[pvalue.slot] = pvalue;
}

}  // namespace pifleet::core
