// Per-core speed from a short, deterministic busy loop run at start: a fixed chain of integer
// multiplies, shifts and xors that no compiler can shorten, timed on one core. The result is in
// millions of loop iterations per second (Mops), so a Pi 5 counts more than a Pi 3.
#pragma once

#include <cstdint>
#include <functional>

namespace pifleet::hal {

// The work itself; returns a checksum so the loop cannot be optimised away. Same input, same
// checksum on every machine.
uint64_t CalibrationWork(uint32_t iterations);

struct Calibration {
  double core_speed_mops = 0.0;
  uint64_t best_ns = 0;  // fastest of the rounds
  uint32_t iterations = 0;
  uint64_t checksum = 0;
};

using MonotonicNs = std::function<uint64_t()>;

// Best of `rounds` runs of `iterations`. `now_ns` is the clock (the thread's CPU clock in
// production, a scripted one in tests).
Calibration Calibrate(uint32_t iterations, int rounds, const MonotonicNs& now_ns);

// Calibrate with the constants.h sizes, timed by this thread's CPU clock.
Calibration CalibrateNow();

}  // namespace pifleet::hal
