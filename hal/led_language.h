// The LED language: what the status LED shows in each state. This table and docs/leds.md say
// the same thing; a unit test compares them row by row.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "hal/constants.h"

namespace pifleet::hal {

enum class LedPattern : uint8_t {
  kBooting,
  kSearching,
  kJoining,
  kLearner,
  kFollower,
  kLeader,
  kNoQuorum,
  kDiskFull,
  kHotThrottled,
  kIdentify,
  kFailed,
};

struct PatternSpec {
  LedPattern pattern;
  const char* name;  // as in `pifleet led set NAME` and docs/leds.md
  // Alternating on/off durations starting with on, repeated; no steps = steady on.
  std::array<uint16_t, kPatternStepsMax> steps_ms;
  uint8_t step_count;
  const char* meaning;
};

std::span<const PatternSpec> AllPatterns();
const PatternSpec& SpecOf(LedPattern pattern);
std::optional<LedPattern> PatternByName(std::string_view name);

// "on" or "on 100, off 900": the pattern column of docs/leds.md.
std::string DescribeSteps(const PatternSpec& spec);

// One cycle of the pattern in ms; 0 for steady on.
uint32_t CycleMs(const PatternSpec& spec);

// The level `elapsed_ms` after the pattern started, and how long it stays so (ms; 0 = forever).
struct PatternLevel {
  bool on;
  uint32_t remaining_ms;
};
PatternLevel LevelAt(const PatternSpec& spec, uint64_t elapsed_ms);

}  // namespace pifleet::hal
