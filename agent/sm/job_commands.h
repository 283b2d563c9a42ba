// Job commands through the log (DESIGN §8, agent/sm/jobs.h), told apart from the kv (1..4),
// members (0x10..), key (0x20..) and session (0x30..) commands by their first byte 0x60..0x65.
// Every command carries the proposer's wall clock (ms since the Unix epoch): the job table's
// time is the highest one the log carried, so every replica expires the same leases at the same
// slot (as client sessions do, agent/sm/session_commands.h). Integers little-endian.
//   submit: 0x60 | now u64 | spec (EncodeJobSpec)
//   claim:  0x61 | now u64 | node u64                        an idle worker asks for a chunk
//   result: 0x62 | now u64 | node u64 | name | chunk start u64 | attempt u64 | exit code i64 |
//           duration_ms u64 | output (at most kJobOutputBytesMax)
//   cancel: 0x63 | now u64 | name
//   expire: 0x64 | now u64                                   the leader: leases past due go back
//   beat:   0x65 | now u64 | node u64                        an idle worker is still there
// Strings are u64 length + bytes; every count and size is bounded when decoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/core/constants.h"

namespace pifleet::sm {

enum class JobKind : uint8_t {
  kSubmit = 0x60,
  kClaim = 0x61,
  kResult = 0x62,
  kCancel = 0x63,
  kExpire = 0x64,
  kBeat = 0x65,
};
enum class Workload : uint8_t { kCommand = 0, kSha256 = 1 };

inline constexpr size_t kJobNameBytesMax = 64;
inline constexpr size_t kJobArgsMax = 64;           // argv entries of a command job
inline constexpr size_t kJobArgvBytesMax = 16384;   // all of them together
inline constexpr size_t kJobOutputBytesMax = 1024;  // a chunk's output as committed
inline constexpr uint64_t kJobTimeoutSMax = 86400;
inline constexpr uint32_t kJobRetriesMax = 100;
inline constexpr uint64_t kJobRoundsMax = 1'000'000;
static_assert(size_t{1} + 8 + (8 + kJobNameBytesMax) + size_t{6} * 8 + 8 + kJobArgsMax * 8 +
                      kJobArgvBytesMax <=
                  core::kCommandBytesMax,
              "a submit with every field at its bound fits one command");
static_assert(size_t{1} + size_t{4} * 8 + (8 + kJobNameBytesMax) + size_t{3} * 8 + 8 +
                      kJobOutputBytesMax <=
                  core::kCommandBytesMax,
              "a result with its output at the bound fits one command");

struct JobSpec {
  std::string name;
  uint64_t first = 0;  // items [first, end)
  uint64_t end = 0;
  uint64_t chunk_min = 1;
  uint64_t timeout_s = 300;
  uint32_t retries = 0;
  Workload workload = Workload::kCommand;
  uint64_t rounds = 1;            // kSha256: rounds per item
  std::vector<std::string> argv;  // kCommand: the program and its arguments
  bool operator==(const JobSpec&) const = default;
};

struct JobCommand {
  JobKind kind = JobKind::kBeat;
  uint64_t now_ms = 0;
  uint64_t node = 0;     // claim, result, beat
  JobSpec spec;          // submit
  std::string name;      // result, cancel
  uint64_t start = 0;    // result: the chunk (its first item)
  uint64_t attempt = 0;  // result: the fencing token of the run
  int64_t exit_code = 0;
  uint64_t duration_ms = 0;
  std::string output;
  bool operator==(const JobCommand&) const = default;
};

inline JobCommand MakeJobCommand(JobKind kind, uint64_t now_ms, uint64_t node = 0,
                                 std::string name = "") {
  JobCommand c;
  c.kind = kind;
  c.now_ms = now_ms;
  c.node = node;
  c.name = std::move(name);
  return c;
}

bool IsJobCommand(const std::string& payload);
std::string EncodeJobCommand(const JobCommand& command);
// nullopt when the bytes are not a well-formed job command or a field is beyond its bound (an
// empty name or argv, first >= end, chunk_min or timeout 0).
std::optional<JobCommand> DecodeJobCommand(const std::string& payload);
// "" when the spec is within bounds, else why not (the CLI and the agent check before proposing).
std::string CheckJobSpec(const JobSpec& spec);

}  // namespace pifleet::sm
