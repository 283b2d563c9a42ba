// The key-value state machine: put, get, compare-and-swap, delete. Deterministic: the same
// commands give the same state and results. Exactly-once application is the session table's job
// (agent/sm/sessions.h), checked before a command reaches the store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/base/bytes.h"
#include "agent/sm/kv_op.h"

namespace pifleet::sm {

class KvStore {
 public:
  // Applies one command (payload = EncodeKvOp). A malformed payload gives ok=false.
  KvResult Apply(const std::string& payload);
  // The value of `key` ("" = absent) without going through the log.
  std::string Read(const std::string& key) const;
  // The value of `key`, or nullopt when it is absent.
  std::optional<std::string> Find(const std::string& key) const;
  size_t size() const { return data_.size(); }
  // Snapshot bytes: every key in order with its value.
  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  KvResult Execute(const KvOp& op);

  std::map<std::string, std::string> data_;
};

}  // namespace pifleet::sm
