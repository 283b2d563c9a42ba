#include "hal/calibration.h"

#include <time.h>

#include <algorithm>

#include "agent/base/assert.h"
#include "hal/constants.h"

namespace pifleet::hal {

uint64_t CalibrationWork(uint32_t iterations) {
  // xorshift64* steps: each depends on the previous, so the loop measures latency of a fixed
  // instruction chain rather than how wide the core is.
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (uint32_t i = 0; i < iterations; ++i) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    x *= 0x2545F4914F6CDD1Dull;
  }
  return x;
}

Calibration Calibrate(uint32_t iterations, int rounds, const MonotonicNs& now_ns) {
  PIFLEET_ASSERT(iterations > 0);
  PIFLEET_ASSERT(rounds > 0 && rounds <= 100);
  Calibration out;
  out.iterations = iterations;
  for (int round = 0; round < rounds; ++round) {
    const uint64_t start = now_ns();
    const uint64_t checksum = CalibrationWork(iterations);
    const uint64_t elapsed = now_ns() - start;
    PIFLEET_ASSERT(round == 0 || checksum == out.checksum);
    out.checksum = checksum;
    if (round == 0 || elapsed < out.best_ns) out.best_ns = elapsed;
  }
  // A clock too coarse to see the loop still yields a finite speed.
  const double best_ns = out.best_ns == 0 ? 1.0 : static_cast<double>(out.best_ns);
  out.core_speed_mops = static_cast<double>(iterations) * 1e3 / best_ns;
  return out;
}

Calibration CalibrateNow(int rounds) {
  // This thread's CPU time, not wall time: a round the scheduler preempts (other processes on a
  // busy machine) is not charged for the time it waited.
  return Calibrate(kCalibrationIterations, rounds, [] {
    timespec ts{};
    const int rc = clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    PIFLEET_ASSERT(rc == 0);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
  });
}

CoreSpeed::CoreSpeed(double first_mops) : mops_(first_mops) { PIFLEET_ASSERT(first_mops > 0.0); }

bool CoreSpeed::Due() {
  if (++readings_ < next_due_) return false;
  next_due_ = readings_ + std::min(readings_, kRecalibrateReadingsMax);
  return true;
}

bool CoreSpeed::Offer(double mops) {
  if (mops <= mops_) return false;
  mops_ = mops;
  return true;
}

}  // namespace pifleet::hal
