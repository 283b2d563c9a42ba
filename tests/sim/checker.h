// Safety checkers run on every step of a simulation:
//   - one value per slot: every replica that applies slot s applies the same value;
//   - identical applied prefixes: each replica applies slots 1, 2, 3, ... in order, and its state
//     machine digest after slot s equals every other replica's digest after slot s;
//   - monotone promises: an acceptor's promise never decreases, across restarts included.
// The first violation is kept with a sentence that says what broke.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "agent/core/types.h"

namespace pifleet::sim {

class SafetyChecker {
 public:
  void OnApply(uint64_t node, uint64_t applied_before, core::Slot slot, const core::Value& value);
  void OnDigest(uint64_t node, core::Slot slot, uint64_t digest);
  // `floor` is the highest promise this node has had durably or in memory since it last started.
  void OnPromise(uint64_t node, core::Ballot promised, core::Ballot floor);
  void Fail(std::string what);

  bool failed() const { return !violation_.empty(); }
  const std::string& violation() const { return violation_; }
  uint64_t slots_decided() const { return values_.size(); }

 private:
  std::map<core::Slot, core::Value> values_;
  std::map<core::Slot, uint64_t> digests_;
  std::string violation_;
};

}  // namespace pifleet::sim
