// The trace of one run: every event folded into a 64-bit FNV-1a hash (the determinism test
// compares it across two runs of the same seed) and, with --trace, printed one line per event.
#pragma once

#include <cstdint>
#include <string>

#include "agent/base/hash.h"

namespace pifleet::sim {

class Trace {
 public:
  explicit Trace(bool print) : print_(print) {}

  void Mix(uint64_t value) { hash_.AddU64(value); }
  bool printing() const { return print_; }
  // Prints "t=<ms> <line>" when printing; the line never changes the hash.
  void Line(int64_t now_us, const std::string& line) const;
  uint64_t hash() const { return hash_.value(); }

 private:
  bool print_;
  Fnv1a hash_;
};

}  // namespace pifleet::sim
