#include "agent/wire/replay_window.h"

#include "agent/base/assert.h"

namespace pifleet::wire {

bool ReplayWindow::Bit(uint64_t counter) const {
  const uint64_t index = counter % kReplayWindowBits;
  return (bits_[index / 64] >> (index % 64)) & 1;
}

bool ReplayWindow::Check(uint64_t counter) const {
  if (counter == 0) return false;
  if (counter > highest_) return true;
  if (highest_ - counter >= kReplayWindowBits) return false;
  return !Bit(counter);
}

void ReplayWindow::Accept(uint64_t counter) {
  PIFLEET_ASSERT(Check(counter));
  if (counter > highest_) {
    // Forget the counters that slide out of the window.
    if (counter - highest_ >= kReplayWindowBits) {
      bits_.fill(0);
    } else {
      for (uint64_t c = highest_ + 1; c < counter; ++c) {
        const uint64_t index = c % kReplayWindowBits;
        bits_[index / 64] &= ~(uint64_t{1} << (index % 64));
      }
    }
    highest_ = counter;
  }
  const uint64_t index = counter % kReplayWindowBits;
  bits_[index / 64] |= uint64_t{1} << (index % 64);
  PIFLEET_ASSERT(!Check(counter));
}

}  // namespace pifleet::wire
