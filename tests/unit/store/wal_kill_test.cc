// Real files: a child process appends and syncs, telling the parent each synced lsn through a
// pipe; the parent SIGKILLs it at a random moment, reopens the WAL and checks that every record
// the child reported as synced is there, byte for byte, and that the tail is clean.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "agent/store/posix_env.h"
#include "agent/store/wal.h"
#include "tests/unit/store/store_test_util.h"

namespace pifleet::store {
namespace {

using testing::Opened;
using testing::OpenWal;
using testing::PayloadFor;

size_t KillSizeFor(uint64_t lsn) { return lsn % 50 == 0 ? 40000 : (lsn * 131) % 3000; }

WalOptions KillOptions() {
  WalOptions options;
  options.segment_bytes = 16 * kLogBlockBytes;  // several segments over the run
  return options;
}

// Runs in the child until killed.
[[noreturn]] void Writer(const std::string& dir, int pipe_fd, uint64_t seed) {
  Opened opened = OpenWal(PosixEnv(), dir, KillOptions());
  if (!opened.status.ok()) _exit(2);
  std::mt19937_64 rng(seed);
  while (true) {
    const int batch = 1 + static_cast<int>(rng() % 16);
    for (int i = 0; i < batch; ++i) {
      const uint64_t lsn = opened.wal->last_lsn() + 1;
      uint64_t got = 0;
      if (!opened.wal->Append(RecordKind::kAccept, lsn, PayloadFor(lsn, KillSizeFor(lsn)), &got)
               .ok() ||
          got != lsn) {
        _exit(3);
      }
    }
    if (!opened.wal->Sync().ok()) _exit(4);
    const uint64_t synced = opened.wal->synced_lsn();
    if (write(pipe_fd, &synced, sizeof(synced)) != static_cast<ssize_t>(sizeof(synced))) _exit(5);
  }
}

TEST(WalKill, SigkillMidAppendNeverLosesASyncedRecord) {
  char tmpl[] = "/tmp/pifleet-wal-kill-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string root = tmpl;
  const std::string dir = root + "/wal";
  std::mt19937_64 rng(20261125);
  uint64_t reported_max = 0;
  int torn_rounds = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  constexpr int kRounds = 50;
  int round = 0;
  for (; round < kRounds && std::chrono::steady_clock::now() < deadline; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      Writer(dir, fds[1], rng());
    }
    close(fds[1]);
    // Wait for the first synced batch, so that every round kills a writer mid-stream.
    uint64_t synced = 0;
    ASSERT_EQ(read(fds[0], &synced, sizeof(synced)), static_cast<ssize_t>(sizeof(synced)));
    reported_max = std::max(reported_max, synced);
    usleep(static_cast<useconds_t>(rng() % 20000));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "writer exited early with " << WEXITSTATUS(wstatus);
    while (read(fds[0], &synced, sizeof(synced)) == static_cast<ssize_t>(sizeof(synced))) {
      reported_max = std::max(reported_max, synced);
    }
    close(fds[0]);

    Opened opened = OpenWal(PosixEnv(), dir, KillOptions());
    ASSERT_TRUE(opened.status.ok()) << "round " << round << ": " << opened.status.ToString();
    if (opened.report.torn_tail) ++torn_rounds;
    ASSERT_GE(opened.records.size(), reported_max) << "round " << round;
    for (size_t i = 0; i < opened.records.size(); ++i) {
      const uint64_t lsn = i + 1;
      ASSERT_EQ(opened.records[i].lsn, lsn);
      ASSERT_EQ(opened.records[i].payload, PayloadFor(lsn, KillSizeFor(lsn))) << "lsn " << lsn;
    }
    opened.wal.reset();
    // Reopening again finds nothing left to cut.
    Opened again = OpenWal(PosixEnv(), dir, KillOptions());
    ASSERT_TRUE(again.status.ok());
    EXPECT_FALSE(again.report.torn_tail);
    EXPECT_EQ(again.records.size(), opened.records.size());
  }
  EXPECT_GE(round, 10);
  EXPECT_GT(reported_max, 0u);
  std::printf("wal kill: %d rounds, %llu records synced, %d torn tails cut\n", round,
              static_cast<unsigned long long>(reported_max), torn_rounds);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace pifleet::store
