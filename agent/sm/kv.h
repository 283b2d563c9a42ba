// The key-value state machine: put, get, compare-and-swap, delete, applied exactly once per
// (client id, sequence). Deterministic: the same commands give the same state and results.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "agent/sm/kv_op.h"
#include "agent/sm/sessions.h"

namespace pifleet::sm {

class KvStore {
 public:
  // Applies one client command (payload = EncodeKvOp). A malformed payload gives ok=false.
  KvResult Apply(uint64_t client_id, uint64_t sequence, const std::string& payload);
  // The value of `key` ("" = absent) without going through the log.
  std::string Read(const std::string& key) const;
  size_t size() const { return data_.size(); }
  const SessionTable& sessions() const { return sessions_; }
  // Snapshot bytes: every key in order with its value, then the sessions.
  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  KvResult Execute(const KvOp& op);

  std::map<std::string, std::string> data_;
  SessionTable sessions_;
};

}  // namespace pifleet::sm
