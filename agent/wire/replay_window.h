// Sliding-window replay filter for one (sender, epoch), as WireGuard keeps one per session:
// a counter is accepted once, and only if it is not more than kReplayWindowBits behind the
// highest counter accepted so far. Check before Accept; Accept only after authentication.
#pragma once

#include <array>
#include <cstdint>

#include "agent/wire/limits.h"

namespace pifleet::wire {

class ReplayWindow {
 public:
  // True when `counter` was not seen and is inside the window. Counter 0 is never valid.
  bool Check(uint64_t counter) const;
  // Marks `counter` seen; it must have passed Check.
  void Accept(uint64_t counter);
  uint64_t highest() const { return highest_; }

 private:
  static constexpr size_t kWords = kReplayWindowBits / 64;
  bool Bit(uint64_t counter) const;
  uint64_t highest_ = 0;
  std::array<uint64_t, kWords> bits_{};  // bit (counter % kReplayWindowBits) marks "seen"
};

}  // namespace pifleet::wire
