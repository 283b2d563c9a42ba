#include "agent/sm/sessions.h"

#include "agent/base/assert.h"

namespace pifleet::sm {

SessionTable::Verdict SessionTable::Check(uint64_t client_id, uint64_t sequence,
                                          KvResult* cached) const {
  auto it = sessions_.find(client_id);
  if (it == sessions_.end() || sequence > it->second.sequence) return Verdict::kNew;
  if (sequence < it->second.sequence) return Verdict::kStale;
  *cached = it->second.result;
  return Verdict::kDuplicate;
}

void SessionTable::Record(uint64_t client_id, uint64_t sequence, const KvResult& result) {
  auto it = sessions_.find(client_id);
  if (it == sessions_.end() && sessions_.size() >= kSessionsMax) {
    auto oldest = sessions_.begin();
    for (auto s = sessions_.begin(); s != sessions_.end(); ++s) {
      if (s->second.last_used < oldest->second.last_used) oldest = s;
    }
    sessions_.erase(oldest);
  }
  Session& session = sessions_[client_id];
  PIFLEET_ASSERT(session.sequence < sequence || it == sessions_.end());
  session = Session{sequence, result, ++clock_};
}

}  // namespace pifleet::sm
