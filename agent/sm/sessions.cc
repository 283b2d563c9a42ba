#include "agent/sm/sessions.h"

#include <algorithm>

#include "agent/base/assert.h"

namespace pifleet::sm {

uint64_t SessionTable::Register(uint64_t now_ms) {
  log_time_ms_ = std::max(log_time_ms_, now_ms);
  if (sessions_.size() >= kSessionsMax) {
    auto oldest = sessions_.begin();
    for (auto s = sessions_.begin(); s != sessions_.end(); ++s) {
      if (s->second.last_used < oldest->second.last_used) oldest = s;
    }
    sessions_.erase(oldest);
  }
  const uint64_t id = ++last_id_;
  sessions_[id] = Session{0, KvResult{}, log_time_ms_, ++clock_};
  PIFLEET_ASSERT(sessions_.size() <= kSessionsMax);
  return id;
}

SessionTable::Verdict SessionTable::Check(uint64_t session, uint64_t sequence,
                                          KvResult* cached) const {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return Verdict::kUnknown;
  if (sequence > it->second.sequence) return Verdict::kNew;
  if (sequence < it->second.sequence || sequence == 0) return Verdict::kStale;
  *cached = it->second.result;
  return Verdict::kDuplicate;
}

void SessionTable::Record(uint64_t session, uint64_t sequence, const KvResult& result) {
  auto it = sessions_.find(session);
  PIFLEET_ASSERT(it != sessions_.end() && it->second.sequence < sequence);
  it->second = Session{sequence, result, log_time_ms_, ++clock_};
  it->second.result.outcome = KvResult::Outcome::kApplied;
}

uint32_t SessionTable::Expire(uint64_t now_ms, uint64_t idle_ms) {
  log_time_ms_ = std::max(log_time_ms_, now_ms);
  uint32_t dropped = 0;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (log_time_ms_ - it->second.active_ms > idle_ms) {
      it = sessions_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

bool SessionTable::AnyIdleSince(uint64_t before_ms) const {
  return std::any_of(sessions_.begin(), sessions_.end(),
                     [before_ms](const auto& s) { return s.second.active_ms < before_ms; });
}

void SessionTable::EncodeTo(ByteWriter& w) const {
  w.U64(sessions_.size());
  for (const auto& [id, session] : sessions_) {
    w.U64(id);
    w.U64(session.sequence);
    w.U8(session.result.ok ? 1 : 0);
    w.U8(session.result.found ? 1 : 0);
    w.Str(session.result.output);
    w.U64(session.active_ms);
    w.U64(session.last_used);
  }
  w.U64(last_id_);
  w.U64(log_time_ms_);
  w.U64(clock_);
}

bool SessionTable::DecodeFrom(ByteReader& r) {
  std::map<uint64_t, Session> sessions;
  const uint64_t count = r.Count(42);
  if (count > kSessionsMax) return false;
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    const uint64_t id = r.U64();
    Session session;
    session.sequence = r.U64();
    session.result.ok = r.U8() != 0;
    session.result.found = r.U8() != 0;
    session.result.output = r.Str();
    session.active_ms = r.U64();
    session.last_used = r.U64();
    sessions[id] = std::move(session);
  }
  const uint64_t last_id = r.U64();
  const uint64_t log_time_ms = r.U64();
  const uint64_t clock = r.U64();
  if (!r.ok || sessions.size() != count) return false;
  if (!sessions.empty() && sessions.rbegin()->first > last_id) return false;
  sessions_ = std::move(sessions);
  last_id_ = last_id;
  log_time_ms_ = log_time_ms;
  clock_ = clock;
  return true;
}

}  // namespace pifleet::sm
