// What taking a snapshot costs the agent's event loop, which does it between two datagrams
// (node/driver.cc, MaybeSnapshot): the state machine's bytes and one hash over the blob (XXH3;
// FNV-1a, as before, for a version 1 blob), for a state like the one `pifleet bench put` leaves
// (80k keys, 128-byte values, about 14.5 MiB).
// A leader that stalls longer than a follower's suspicion timeout (150 ms at the floor) is
// replaced, so this time bounds the state a loaded fleet can hold without an election.
// The baseline copies as many bytes: the memory traffic any encoding of the state must make.
#include <benchmark/benchmark.h>

#include <string>

#include "agent/core/snapshot.h"
#include "agent/sm/state_machine.h"
#include "tests/bench/store/kv_state.h"

namespace pifleet::sm {
namespace {

const StateMachine& BenchPutState() {
  static const StateMachine* const state = [] {
    auto* s = new StateMachine;
    constexpr uint64_t kClients = 64;
    bench::FillKvState({.sessions = kClients,
                        .puts = 80'000,
                        .value_bytes = 128,
                        .key =
                            [](uint64_t i) {
                              return "bench/" + std::to_string(i % kClients) + "/" +
                                     std::to_string(i);
                            }},
                       s);
    return s;
  }();
  return *state;
}

void BM_StateCopyBaseline(benchmark::State& state) {
  const std::string bytes = BenchPutState().Snapshot();
  for (auto _ : state) {
    std::string copy = bytes;
    benchmark::DoNotOptimize(copy.data());
  }
  state.counters["MiB"] = static_cast<double>(bytes.size()) / (1024.0 * 1024.0);
}
BENCHMARK(BM_StateCopyBaseline)->Unit(benchmark::kMillisecond);

// Sized up front, as the driver does from the last snapshot's size.
void BM_StateMachineSnapshot(benchmark::State& state) {
  const StateMachine& sm = BenchPutState();
  const size_t size = sm.Snapshot().size();
  for (auto _ : state) benchmark::DoNotOptimize(sm.Snapshot(size).data());
}
BENCHMARK(BM_StateMachineSnapshot)->Unit(benchmark::kMillisecond);

// The blob the core hashes: the state machine's bytes inside the core's snapshot header.
const std::string& BenchPutBlob() {
  static const std::string blob = core::EncodeSnapshot(
      core::SnapshotMeta{1, {{1, core::Config{{1, 2, 3}, {}}}}}, BenchPutState().Snapshot());
  return blob;
}

void BM_SnapshotHash(benchmark::State& state) {
  const std::string& blob = BenchPutBlob();
  for (auto _ : state) benchmark::DoNotOptimize(core::SnapshotHash(blob));
}
BENCHMARK(BM_SnapshotHash)->Unit(benchmark::kMillisecond);

// What a version 1 blob costs (FNV-1a, the hash before XXH3): the blob differs in its version.
void BM_SnapshotHashVersion1(benchmark::State& state) {
  std::string blob = BenchPutBlob();
  blob[4] = 1;
  for (auto _ : state) benchmark::DoNotOptimize(core::SnapshotHash(blob));
}
BENCHMARK(BM_SnapshotHashVersion1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pifleet::sm

BENCHMARK_MAIN();
