// How long a snapshot of a 100k-key state machine keeps the agent's event loop busy, on a real
// disk: before, the loop called SaveCoreSnapshot itself (temp file, fdatasync, rename, dir
// fsync: the Baseline); now it hands the blob to the SnapshotWriter thread (Submit) and later
// collects the result (TakeFinished), while the worker writes.
//   PIFLEET_BENCH_DIR=/work/tmp bench_snapshot      (default: ./pifleet-bench-store)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "agent/core/snapshot.h"
#include "agent/daemon/snapshot_writer.h"
#include "agent/sm/state_machine.h"
#include "agent/store/core_log.h"
#include "agent/store/posix_env.h"
#include "tests/bench/store/kv_state.h"

namespace pifleet::daemon {
namespace {

std::string BenchDir(const std::string& leaf) {
  const char* root = std::getenv("PIFLEET_BENCH_DIR");
  const std::string dir = std::string(root != nullptr ? root : "pifleet-bench-store") + "/" + leaf;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The core's blob for 100k keys with 16-byte values and 1000 client sessions (as in
// tests/unit/sm/snapshot_test.cc, which prints the state machine's share).
std::shared_ptr<const std::string> HundredThousandKeyBlob() {
  static const std::shared_ptr<const std::string> blob = [] {
    sm::StateMachine state;
    bench::FillKvState({.sessions = 1000,
                        .puts = 100'000,
                        .value_bytes = 16,
                        .key = [](uint64_t i) { return "key/" + std::to_string(i); }},
                       &state);
    core::Config config;
    config.voters = {1, 2, 3};
    return std::make_shared<const std::string>(
        core::EncodeSnapshot(core::SnapshotMeta{100'000, {{1, config}}}, state.Snapshot()));
  }();
  return blob;
}

// Before: the loop itself stores the snapshot and waits for every fsync.
void BM_SnapshotSaveOnLoopBaseline(benchmark::State& state) {
  const std::string dir = BenchDir("snapshot-save");
  const auto blob = HundredThousandKeyBlob();
  core::Slot slot = 0;
  for (auto _ : state) {
    const Status status =
        store::SaveCoreSnapshot(store::PosixEnv(), dir, core::SnapshotSave{++slot, blob});
    if (!status.ok()) std::abort();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * blob->size()));
  state.counters["blob_MiB"] = static_cast<double>(blob->size()) / (1024.0 * 1024.0);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SnapshotSaveOnLoopBaseline)->Unit(benchmark::kMillisecond)->UseRealTime();

// Now: the loop's share, a Submit and a TakeFinished, while the writer stores snapshots (a
// newer one supersedes the one waiting, as in the agent).
void BM_SnapshotSubmit(benchmark::State& state) {
  const std::string dir = BenchDir("snapshot-submit");
  const auto blob = HundredThousandKeyBlob();
  uint64_t stored = 0;
  {
    SnapshotWriter writer(store::PosixEnv(), dir, [] {});
    core::Slot slot = 0;
    for (auto _ : state) {
      ++slot;
      writer.Submit({core::SnapshotSave{slot, blob}, core::SnapshotRecord{slot, 0}});
      for (const SnapshotWriter::Result& result : writer.TakeFinished()) {
        if (!result.status.ok()) std::abort();
        ++stored;
      }
    }
    writer.Stop();
    stored += writer.TakeFinished().size();
  }
  state.counters["stored"] = static_cast<double>(stored);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SnapshotSubmit)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace pifleet::daemon

BENCHMARK_MAIN();
