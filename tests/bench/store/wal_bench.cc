// WAL append + group commit on a real disk, and recovery (open + scan) of a 64 MiB WAL.
//   PIFLEET_BENCH_DIR=/work/tmp bench_store      (default: ./pifleet-bench-store)
// The directory is created and emptied by the benchmark.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "agent/store/posix_env.h"
#include "agent/store/wal.h"

namespace pifleet::store {
namespace {

std::string BenchDir(const std::string& leaf) {
  const char* root = std::getenv("PIFLEET_BENCH_DIR");
  const std::string dir = std::string(root != nullptr ? root : "pifleet-bench-store") + "/" + leaf;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::unique_ptr<Wal> OpenOrDie(const std::string& dir, uint64_t* records) {
  std::unique_ptr<Wal> wal;
  WalRecoveryReport report;
  *records = 0;
  const Status s = Wal::Open(
      PosixEnv(), dir, WalOptions(),
      [&](const WalRecord&) {
        ++*records;
        return Status::Ok();
      },
      &wal, &report);
  if (!s.ok()) std::abort();
  return wal;
}

// records_per_sync records of 128 bytes, then one fdatasync: the acceptor's group commit.
void BM_WalAppendSync(benchmark::State& state) {
  const int records_per_sync = static_cast<int>(state.range(0));
  const std::string dir = BenchDir("append");
  uint64_t recovered = 0;
  std::unique_ptr<Wal> wal = OpenOrDie(dir, &recovered);
  const std::string payload(128, 'a');
  uint64_t slot = 0;
  for (auto _ : state) {
    for (int i = 0; i < records_per_sync; ++i) {
      uint64_t lsn = 0;
      if (!wal->Append(RecordKind::kAccept, ++slot, payload, &lsn).ok()) std::abort();
    }
    if (!wal->Sync().ok()) std::abort();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * records_per_sync);
  state.counters["fdatasync/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  wal.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WalAppendSync)->Arg(1)->Arg(16)->Arg(64)->UseRealTime();

// Fills one 64 MiB segment with 1 KiB records, then times Open (read, check, replay).
// state.range(0) == 1 evicts the files from the page cache before each open (a cold start).
void BM_WalRecover64MiB(benchmark::State& state) {
  const bool cold = state.range(0) == 1;
  const std::string dir = BenchDir("recover");
  {
    uint64_t recovered = 0;
    std::unique_ptr<Wal> wal = OpenOrDie(dir, &recovered);
    const std::string payload(1024, 'r');
    uint64_t slot = 0;
    while (wal->stats().bytes + 2 * 1024 < kWalSegmentBytes) {
      uint64_t lsn = 0;
      if (!wal->Append(RecordKind::kAccept, ++slot, payload, &lsn).ok()) std::abort();
      if (slot % 4096 == 0 && !wal->Sync().ok()) std::abort();
    }
    if (!wal->Sync().ok()) std::abort();
  }
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) bytes += entry.file_size();
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const int fd = ::open(entry.path().c_str(), O_RDONLY);
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
      }
      state.ResumeTiming();
    }
    uint64_t records = 0;
    std::unique_ptr<Wal> wal = OpenOrDie(dir, &records);
    benchmark::DoNotOptimize(records);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["wal_MiB"] = static_cast<double>(bytes) / (1024.0 * 1024.0);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WalRecover64MiB)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace pifleet::store

BENCHMARK_MAIN();
