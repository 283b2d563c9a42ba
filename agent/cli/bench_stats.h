// `pifleet bench put`'s arithmetic, kept apart from its threads and sockets so that it is tested
// alone: the bounds of its flags, the keys it writes, percentiles of the measured latencies, and
// its two outputs (a table for people, one JSON line for scripts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/base/status.h"

namespace pifleet::cli {

// What each client does over and over: puts of new keys through the log, or gets of the key it
// put first, through the log or under the leader's lease (`bench get --consistency`).
enum class BenchOp : uint8_t { kPut, kGetLog, kGetLease };

struct BenchPutOptions {
  uint32_t clients = 16;
  uint32_t duration_s = 10;
  uint32_t key_bytes = 16;
  uint32_t value_bytes = 256;
  BenchOp op = BenchOp::kPut;
};

inline constexpr uint32_t kBenchClientsMax = 1024;  // each client is a thread with its own socket
inline constexpr uint32_t kBenchDurationSMax = 3600;
// "b", the client (5 digits) and the put's sequence (10 digits): every key distinct.
inline constexpr uint32_t kBenchKeyBytesMin = 16;

// InvalidArgument naming the flag and its bounds when one is out of them.
Status CheckBenchPutOptions(const BenchPutOptions& options);
// The key of client `client`'s put number `sequence`, padded to key_bytes (>= kBenchKeyBytesMin).
std::string BenchKey(uint32_t client, uint64_t sequence, uint32_t key_bytes);
// Nearest-rank percentile (0 < q <= 1) of latencies sorted ascending in microseconds, in
// milliseconds; 0 when there are none.
double PercentileMs(const std::vector<uint32_t>& sorted_micros, double q);

struct BenchSummary {
  uint32_t clients = 0;
  uint64_t ops = 0;  // acknowledged puts
  uint64_t errors = 0;
  double seconds = 0;  // from the start signal until the last client stopped
  double throughput_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Sorts micros (one entry per acknowledged put) and sums it all up.
BenchSummary Summarize(uint32_t clients, std::vector<uint32_t> micros, uint64_t errors,
                       double seconds);
// {"clients":N,"ops":N,"throughput_per_s":X,"p50_ms":X,"p99_ms":X,"errors":N}, in that order.
std::string BenchJson(const BenchSummary& summary);
std::string BenchTable(const BenchSummary& summary, const BenchPutOptions& options);

}  // namespace pifleet::cli
