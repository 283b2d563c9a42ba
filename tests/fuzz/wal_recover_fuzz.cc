// Any bytes as a data directory to recover (issue 18): refused or recovered, never a crash.
// The in-memory FaultEnv holds the files; recovery is RecoverCore (what the agent and the
// simulator run at start), and a recovered state must start a core.
//   first byte even: raw files, each [u8 name | u16 length LE | bytes]; the name picks one of a
//     few WAL segments, snapshots, or a snapshot temp file.
//   first byte odd: records, each [u8 kind | u8 slot | u16 length LE | payload], appended and
//     synced through the real WAL (valid framing and checksums, fuzzed contents), so that the
//     decoding of every record kind and the replay into the core see any payload.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "agent/base/assert.h"
#include "agent/core/core.h"
#include "agent/store/core_log.h"
#include "agent/store/fault_env.h"
#include "agent/store/wal.h"

namespace {

using namespace pifleet;

constexpr char kDataDir[] = "/data";
constexpr const char* kNames[] = {
    "wal/00000000000000000001.wal",   "wal/00000000000000000002.wal",
    "wal/00000000000000000003.wal",   "snap/00000000000000000005.snap",
    "snap/00000000000000000009.snap", "snap/00000000000000000009.snap.tmp",
};

void WriteFile(store::Env* env, const std::string& path, std::string_view bytes) {
  std::unique_ptr<store::WritableFile> file;
  if (!env->NewWritableFile(path, &file).ok()) return;
  (void)file->Append(bytes);
  (void)file->Sync();
  (void)file->Close();
}

void RawFiles(store::Env* env, const uint8_t* data, size_t size) {
  size_t pos = 0;
  while (size - pos >= 3) {
    const char* name = kNames[data[pos] % std::size(kNames)];
    const size_t length =
        std::min<size_t>(data[pos + 1] | size_t{data[pos + 2]} << 8, size - pos - 3);
    WriteFile(env, std::string(kDataDir) + "/" + name,
              std::string_view(reinterpret_cast<const char*>(data + pos + 3), length));
    pos += 3 + length;
  }
}

void Records(store::Env* env, const uint8_t* data, size_t size) {
  std::unique_ptr<store::Wal> wal;
  store::WalRecoveryReport report;
  store::WalOptions options;
  options.segment_bytes = 4096;
  if (!store::Wal::Open(
           env, store::WalDir(kDataDir), options,
           [](const store::WalRecord&) { return Status::Ok(); }, &wal, &report)
           .ok()) {
    return;
  }
  size_t pos = 0;
  while (size - pos >= 4) {
    const auto kind = static_cast<store::RecordKind>(1 + data[pos] % store::kRecordKindMax);
    const uint64_t slot = data[pos + 1];
    const size_t length =
        std::min<size_t>(data[pos + 2] | size_t{data[pos + 3]} << 8, size - pos - 4);
    uint64_t lsn = 0;
    (void)wal->Append(
        kind, slot, std::string_view(reinterpret_cast<const char*>(data + pos + 4), length), &lsn);
    pos += 4 + length;
  }
  (void)wal->Sync();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  store::FaultEnv env(1);
  (void)env.CreateDir(kDataDir);
  (void)env.CreateDir(store::WalDir(kDataDir));
  (void)env.CreateDir(store::SnapDir(kDataDir));
  if (data[0] % 2 == 0) {
    RawFiles(&env, data + 1, size - 1);
  } else {
    Records(&env, data + 1, size - 1);
  }
  store::CoreRecovery recovery;
  store::WalOptions options;
  options.segment_bytes = 4096;
  if (!store::RecoverCore(&env, kDataDir, options, &recovery).ok()) return 0;  // refused: fine
  core::CoreOptions core_options;
  core_options.id = 1;
  core_options.initial_config.voters = {1, 2, 3};
  core::Core core(core_options, recovery.durable, recovery.snapshot);
  while (core.HasReady()) {
    (void)core.TakeReady();
    core.Advance();
  }
  return 0;
}
