// A small seeded PRNG (splitmix64) for election jitter: the core never reads a clock or an
// entropy source, so the same seed and inputs always give the same behaviour.
#pragma once

#include <cstdint>

namespace pifleet::core {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [low, high], inclusive.
  uint64_t Between(uint64_t low, uint64_t high) { return low + Next() % (high - low + 1); }
  // True with probability per_million / 1e6.
  bool Chance(uint32_t per_million) { return Next() % 1000000 < per_million; }

 private:
  uint64_t state_;
};

}  // namespace pifleet::core
