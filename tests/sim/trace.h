// The trace of one run: every event folded into a 64-bit FNV-1a hash (the determinism test
// compares it across two runs of the same seed) and, with --trace, printed one line per event.
#pragma once

#include <cstdint>
#include <string>

namespace pifleet::sim {

class Trace {
 public:
  explicit Trace(bool print) : print_(print) {}

  void Mix(uint64_t value) {
    for (int i = 0; i < 8; ++i) hash_ = (hash_ ^ ((value >> (8 * i)) & 0xff)) * kPrime;
  }
  bool printing() const { return print_; }
  // Prints "t=<ms> <line>" when printing; the line never changes the hash.
  void Line(int64_t now_us, const std::string& line) const;
  uint64_t hash() const { return hash_; }

 private:
  static constexpr uint64_t kPrime = 1099511628211ULL;
  bool print_;
  uint64_t hash_ = 1469598103934665603ULL;
};

}  // namespace pifleet::sim
