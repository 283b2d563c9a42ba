// What taking a snapshot costs the agent's event loop, which does it between two datagrams
// (node/driver.cc, MaybeSnapshot): the state machine's bytes and one hash over the blob, for a
// state like the one `pifleet bench put` leaves (80k keys, 128-byte values, about 14.5 MiB).
// A leader that stalls longer than a follower's suspicion timeout (150 ms at the floor) is
// replaced, so this time bounds the state a loaded fleet can hold without an election.
// The baseline copies as many bytes: the memory traffic any encoding of the state must make.
#include <benchmark/benchmark.h>

#include <string>

#include "agent/core/snapshot.h"
#include "agent/sm/kv_op.h"
#include "agent/sm/session_commands.h"
#include "agent/sm/state_machine.h"

namespace pifleet::sm {
namespace {

const StateMachine& BenchPutState() {
  static const StateMachine* const state = [] {
    auto* s = new StateMachine;
    constexpr uint64_t kClients = 64;
    const std::string reg = EncodeSessionCommand({SessionCommandKind::kRegister, kClients, 0});
    for (uint64_t c = 0; c < kClients; ++c) s->Apply(0, 0, 0, reg);
    for (uint64_t i = 0; i < 80'000; ++i) {
      KvOp op;
      op.kind = KvKind::kPut;
      op.key = "bench/" + std::to_string(i % kClients) + "/" + std::to_string(i);
      op.value = std::string(128, static_cast<char>('a' + i % 26));
      s->Apply(i + 1, 1 + i % kClients, 1 + i / kClients, EncodeKvOp(op));
    }
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

void BM_SnapshotHash(benchmark::State& state) {
  const std::string bytes = BenchPutState().Snapshot();
  for (auto _ : state) benchmark::DoNotOptimize(core::SnapshotHash(bytes));
}
BENCHMARK(BM_SnapshotHash)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pifleet::sm

BENCHMARK_MAIN();
