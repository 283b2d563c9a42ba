// Per-core speed from a short, deterministic busy loop: a fixed chain of integer multiplies,
// shifts and xors that no compiler can shorten, timed on one core. The result is in millions of
// loop iterations per second (Mops), so a Pi 5 counts more than a Pi 3. Run at start, and again
// now and then (CoreSpeed): the fastest run is the core's speed.
#pragma once

#include <cstdint>
#include <functional>

#include "hal/constants.h"

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
Calibration CalibrateNow(int rounds = kCalibrationRounds);

// The core's speed as the fastest calibration so far. Something else on the core (another
// process, a busy SMT sibling, a clock the governor has not raised yet at boot) makes a run
// slow, never fast, so one unlucky start would otherwise cost the node its share of jobs for as
// long as it runs. Again at the 2nd, 4th, 8th, ... probe reading (the 1st comes with the
// calibration at start; a load at boot is gone within a minute or two), then every
// kRecalibrateReadingsMax readings.
class CoreSpeed {
 public:
  explicit CoreSpeed(double first_mops);
  // Called once per probe reading: true when this one should calibrate again (Offer).
  bool Due();
  // A new calibration's speed; true when it is the fastest so far.
  bool Offer(double mops);
  double mops() const { return mops_; }

 private:
  double mops_;
  uint64_t readings_ = 0;
  uint64_t next_due_ = 2;
};

}  // namespace pifleet::hal
