#include "agent/cli/bench_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "agent/sm/kv_op.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::cli {
namespace {

Status OutOfBounds(const char* flag, uint64_t value, uint64_t low, uint64_t high) {
  return Status::InvalidArgument(std::string(flag) + " " + std::to_string(value) +
                                 " is out of bounds: give " + std::to_string(low) + " to " +
                                 std::to_string(high));
}

// Rounded to `places` decimals, so that the JSON line carries no float noise.
double Rounded(double value, int places) {
  const double scale = std::pow(10.0, places);
  return std::round(value * scale) / scale;
}

}  // namespace

Status CheckBenchPutOptions(const BenchPutOptions& o) {
  if (o.clients < 1 || o.clients > kBenchClientsMax) {
    return OutOfBounds("--clients", o.clients, 1, kBenchClientsMax);
  }
  if (o.duration_s < 1 || o.duration_s > kBenchDurationSMax) {
    return OutOfBounds("--duration-s", o.duration_s, 1, kBenchDurationSMax);
  }
  if (o.key_bytes < kBenchKeyBytesMin || o.key_bytes > wire::kKvKeyBytesMax) {
    return OutOfBounds("--key-bytes", o.key_bytes, kBenchKeyBytesMin, wire::kKvKeyBytesMax);
  }
  if (o.value_bytes > sm::kKvValueBytesMax) {
    return OutOfBounds("--value-bytes", o.value_bytes, 0, sm::kKvValueBytesMax);
  }
  return Status::Ok();
}

std::string BenchKey(uint32_t client, uint64_t sequence, uint32_t key_bytes) {
  char head[32];
  std::snprintf(head, sizeof(head), "b%05u%010llu", client % 100000,
                static_cast<unsigned long long>(sequence % 10000000000ULL));
  std::string key(head);
  key.resize(std::max<size_t>(key_bytes, key.size()), '.');
  return key;
}

double PercentileMs(const std::vector<uint32_t>& sorted_micros, double q) {
  if (sorted_micros.empty()) return 0;
  // Nearest rank: the smallest value with at least q of all values at or below it.
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted_micros.size())));
  const size_t index = std::clamp<size_t>(rank, 1, sorted_micros.size()) - 1;
  return sorted_micros[index] / 1000.0;
}

BenchSummary Summarize(uint32_t clients, std::vector<uint32_t> micros, uint64_t errors,
                       double seconds) {
  std::sort(micros.begin(), micros.end());
  BenchSummary s;
  s.clients = clients;
  s.ops = micros.size();
  s.errors = errors;
  s.seconds = seconds;
  s.throughput_per_s = seconds > 0 ? static_cast<double>(s.ops) / seconds : 0;
  s.p50_ms = PercentileMs(micros, 0.50);
  s.p99_ms = PercentileMs(micros, 0.99);
  s.max_ms = micros.empty() ? 0 : micros.back() / 1000.0;
  return s;
}

std::string BenchJson(const BenchSummary& s) {
  const nlohmann::ordered_json json{{"clients", s.clients},
                                    {"ops", s.ops},
                                    {"throughput_per_s", Rounded(s.throughput_per_s, 1)},
                                    {"p50_ms", Rounded(s.p50_ms, 3)},
                                    {"p99_ms", Rounded(s.p99_ms, 3)},
                                    {"errors", s.errors}};
  return json.dump();
}

std::string BenchTable(const BenchSummary& s, const BenchPutOptions& o) {
  const char* what = o.op == BenchOp::kPut      ? "puts through the log"
                     : o.op == BenchOp::kGetLog ? "gets through the log"
                                                : "gets under the leader's lease";
  const char* unit = o.op == BenchOp::kPut ? "puts" : "gets";
  char text[512];
  std::snprintf(text, sizeof(text),
                "%s: %u clients, %.1f s, keys of %u bytes, values of %u bytes\n"
                "  acknowledged  %llu\n"
                "  errors        %llu\n"
                "  throughput    %.1f %s/s\n"
                "  latency p50   %.3f ms\n"
                "  latency p99   %.3f ms\n"
                "  latency max   %.3f ms\n",
                what, s.clients, s.seconds, o.key_bytes, o.value_bytes,
                static_cast<unsigned long long>(s.ops), static_cast<unsigned long long>(s.errors),
                s.throughput_per_s, unit, s.p50_ms, s.p99_ms, s.max_ms);
  return text;
}

}  // namespace pifleet::cli
