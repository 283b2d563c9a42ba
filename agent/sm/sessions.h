// Client sessions (Ongaro's dissertation §6.3, DESIGN §2 "Exactly-once commands"). A client
// registers through the log and gets a session id the state machine hands out (never reused, so a
// replayed registration makes a new session, never an old one). Every other command carries
// (session, sequence): the highest sequence applied is answered with its first result, an older
// one is refused as stale, and an unknown (expired or evicted) session is refused, never applied.
// Time comes only from commands in the log (registrations and the leader's expiry commands carry
// a wall-clock time), so every replica expires the same sessions at the same slot.
#pragma once

#include <cstdint>
#include <map>

#include "agent/base/bytes.h"
#include "agent/sm/kv_op.h"

namespace pifleet::sm {

// Sessions held at once; registering one more evicts the least recently used.
inline constexpr uint32_t kSessionsMax = 1024;

class SessionTable {
 public:
  enum class Verdict { kNew, kDuplicate, kStale, kUnknown };

  // A new session, active at the log time `now_ms` (carried by the register command).
  uint64_t Register(uint64_t now_ms);
  // kDuplicate: `cached` holds the first result of that sequence.
  Verdict Check(uint64_t session, uint64_t sequence, KvResult* cached) const;
  // Records the result of a kNew command. The session must exist.
  void Record(uint64_t session, uint64_t sequence, const KvResult& result);
  // Advances the log time to now_ms and drops every session idle for longer than idle_ms.
  // Returns how many were dropped.
  uint32_t Expire(uint64_t now_ms, uint64_t idle_ms);

  size_t size() const { return sessions_.size(); }
  uint64_t log_time_ms() const { return log_time_ms_; }
  // True when some session has been idle (by log time) since before `before_ms`: the leader
  // proposes an expiry command only then.
  bool AnyIdleSince(uint64_t before_ms) const;
  // Snapshot bytes: every session in id order, then the id, log-time and use counters.
  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  struct Session {
    uint64_t sequence = 0;   // highest applied; 0 = none yet
    KvResult result;         // of `sequence`
    uint64_t active_ms = 0;  // log time of the last command
    uint64_t last_used = 0;  // use counter, for eviction
  };
  std::map<uint64_t, Session> sessions_;
  uint64_t last_id_ = 0;      // ids handed out so far: ids are never reused
  uint64_t log_time_ms_ = 0;  // highest time carried by a command so far
  uint64_t clock_ = 0;        // counts registrations and records: the same on every replica
};

}  // namespace pifleet::sm
