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

void SessionTable::EncodeTo(ByteWriter& w) const {
  w.U64(sessions_.size());
  for (const auto& [client_id, session] : sessions_) {
    w.U64(client_id);
    w.U64(session.sequence);
    w.U8(session.result.ok ? 1 : 0);
    w.Str(session.result.output);
    w.U64(session.last_used);
  }
  w.U64(clock_);
}

bool SessionTable::DecodeFrom(ByteReader& r) {
  std::map<uint64_t, Session> sessions;
  const uint64_t count = r.Count(33);
  if (count > kSessionsMax) return false;
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    const uint64_t client_id = r.U64();
    Session session;
    session.sequence = r.U64();
    session.result.ok = r.U8() != 0;
    session.result.output = r.Str();
    session.last_used = r.U64();
    sessions[client_id] = std::move(session);
  }
  const uint64_t clock = r.U64();
  if (!r.ok || sessions.size() != count) return false;
  sessions_ = std::move(sessions);
  clock_ = clock;
  return true;
}

}  // namespace pifleet::sm
