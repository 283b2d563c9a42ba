#include "hal/led_language.h"

#include "agent/base/assert.h"

namespace pifleet::hal {

namespace {

// Rates tell the boot-time states apart (fast blink, then one, two, three flashes every two
// seconds); healthy members are steady; trouble is a slow blink or a long/short rhythm; identify
// is a strobe nobody can miss. `failed` is one on/off pair so the kernel's timer trigger can
// hold it after the agent is gone.
constexpr PatternSpec kPatterns[] = {
    {LedPattern::kBooting,
     "booting",
     {125, 125},
     2,
     "The agent is starting: reading its configuration and log."},
    {LedPattern::kSearching,
     "searching",
     {100, 1900},
     2,
     "Looking for a cluster: no peer answered yet."},
    {LedPattern::kJoining,
     "joining",
     {100, 200, 100, 1600},
     4,
     "Found a cluster and asked to join; waiting for the leader."},
    {LedPattern::kLearner,
     "learner",
     {100, 200, 100, 200, 100, 1300},
     6,
     "Member catching up on the log; not voting yet."},
    {LedPattern::kFollower, "follower", {}, 0, "Voting member; a leader is known and healthy."},
    {LedPattern::kLeader,
     "leader",
     {1900, 100},
     2,
     "This Pi is the leader: on, with a short dip every two seconds."},
    {LedPattern::kNoQuorum,
     "no-quorum",
     {1000, 1000},
     2,
     "Member, but no majority answers: the cluster cannot commit."},
    {LedPattern::kDiskFull,
     "disk-full",
     {600, 200, 100, 1100},
     4,
     "The log disk is full; this Pi refuses writes (long, short)."},
    {LedPattern::kHotThrottled,
     "hot-throttled",
     {100, 200, 600, 1100},
     4,
     "Hot, throttled or under-voltage; gets less work (short, long)."},
    {LedPattern::kIdentify,
     "identify",
     {50, 50},
     2,
     "Someone ran `pifleet identify` on this Pi: find it in the rack."},
    {LedPattern::kFailed,
     "failed",
     {250, 250},
     2,
     "The agent stopped or crashed; set by the systemd stop hook."},
};

constexpr bool TableIsWellFormed() {
  for (std::size_t i = 0; i < std::size(kPatterns); ++i) {
    if (static_cast<std::size_t>(kPatterns[i].pattern) != i) return false;
    // Blinking patterns end on "off" so every cycle has a visible gap.
    if (kPatterns[i].step_count % 2 != 0 || kPatterns[i].step_count > kPatternStepsMax) {
      return false;
    }
    for (std::size_t s = 0; s < kPatterns[i].step_count; ++s) {
      if (kPatterns[i].steps_ms[s] == 0 || kPatterns[i].steps_ms[s] > kPatternStepMsMax) {
        return false;
      }
    }
  }
  return true;
}
static_assert(TableIsWellFormed(), "kPatterns: order, even step counts, bounded steps");
static_assert(std::size(kPatterns) == static_cast<std::size_t>(LedPattern::kFailed) + 1);

}  // namespace

std::span<const PatternSpec> AllPatterns() { return kPatterns; }

const PatternSpec& SpecOf(LedPattern pattern) {
  const auto index = static_cast<std::size_t>(pattern);
  PIFLEET_ASSERT(index < std::size(kPatterns));
  return kPatterns[index];
}

std::optional<LedPattern> PatternByName(std::string_view name) {
  for (const auto& spec : kPatterns) {
    if (name == spec.name) return spec.pattern;
  }
  return std::nullopt;
}

std::string DescribeSteps(const PatternSpec& spec) {
  if (spec.step_count == 0) return "on";
  std::string out;
  for (std::size_t s = 0; s < spec.step_count; ++s) {
    if (s > 0) out += ", ";
    out += s % 2 == 0 ? "on " : "off ";
    out += std::to_string(spec.steps_ms[s]);
  }
  return out;
}

uint32_t CycleMs(const PatternSpec& spec) {
  uint32_t total = 0;
  for (std::size_t s = 0; s < spec.step_count; ++s) total += spec.steps_ms[s];
  return total;
}

PatternLevel LevelAt(const PatternSpec& spec, uint64_t elapsed_ms) {
  const uint32_t cycle = CycleMs(spec);
  if (cycle == 0) return {true, 0};
  uint32_t into = static_cast<uint32_t>(elapsed_ms % cycle);
  for (std::size_t s = 0; s < spec.step_count; ++s) {
    if (into < spec.steps_ms[s]) return {s % 2 == 0, spec.steps_ms[s] - into};
    into -= spec.steps_ms[s];
  }
  PIFLEET_ASSERT_MSG(false, "elapsed time fell outside the cycle");
  return {false, 0};
}

}  // namespace pifleet::hal
