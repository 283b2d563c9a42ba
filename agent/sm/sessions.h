// Exactly-once client commands: per client the highest sequence applied and its result. A
// retried command is answered with the first result and not applied again. The table is
// bounded: the least recently used session is evicted (deterministically, so replicas agree).
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "agent/base/bytes.h"
#include "agent/sm/kv_op.h"

namespace pifleet::sm {

inline constexpr uint32_t kSessionsMax = 1024;

class SessionTable {
 public:
  enum class Verdict { kNew, kDuplicate, kStale };

  // kDuplicate: `cached` holds the first result; kStale: an older sequence than the last one.
  Verdict Check(uint64_t client_id, uint64_t sequence, KvResult* cached) const;
  void Record(uint64_t client_id, uint64_t sequence, const KvResult& result);
  size_t size() const { return sessions_.size(); }
  // Snapshot bytes: every session in client order, then the use clock (so eviction after a
  // restore picks the same session as on every other replica).
  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  struct Session {
    uint64_t sequence = 0;
    KvResult result;
    uint64_t last_used = 0;
  };
  std::map<uint64_t, Session> sessions_;
  uint64_t clock_ = 0;  // counts Record calls: the same on every replica
};

}  // namespace pifleet::sm
