// Helpers shared by the storage tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/store/fault_env.h"
#include "agent/store/wal.h"

namespace pifleet::store::testing {

// Deterministic payload bytes for record i (so a reader can check any record it gets back).
inline std::string PayloadFor(uint64_t i, size_t bytes) {
  std::string payload(bytes, '\0');
  uint64_t x = i * 0x9e3779b97f4a7c15ull + 1;
  for (size_t k = 0; k < bytes; ++k) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    payload[k] = static_cast<char>(x & 0xff);
  }
  return payload;
}

struct Opened {
  Status status;
  std::vector<WalRecord> records;
  WalRecoveryReport report;
  std::unique_ptr<Wal> wal;
};

inline Opened OpenWal(Env* env, const std::string& dir, WalOptions options = WalOptions()) {
  Opened opened;
  opened.status = Wal::Open(
      env, dir, options,
      [&](const WalRecord& record) {
        opened.records.push_back(record);
        return Status::Ok();
      },
      &opened.wal, &opened.report);
  return opened;
}

// Forwards to a FaultEnv and crashes it (torn tails) at the n-th mutating call (0-based),
// which then fails: walks a multi-step update through a crash at every step.
class CrashAtEnv final : public Env {
 public:
  CrashAtEnv(FaultEnv* disk, int crash_at) : disk_(disk), crash_at_(crash_at) {}
  bool crashed() const { return crashed_; }

  Status NewSequentialFile(const std::string& p, std::unique_ptr<SequentialFile>* o) override {
    return disk_->NewSequentialFile(p, o);
  }
  Status NewRandomAccessFile(const std::string& p, std::unique_ptr<RandomAccessFile>* o) override {
    return disk_->NewRandomAccessFile(p, o);
  }
  Status NewWritableFile(const std::string& p, std::unique_ptr<WritableFile>* o) override {
    if (Step()) return Crashed();
    std::unique_ptr<WritableFile> file;
    Status s = disk_->NewWritableFile(p, &file);
    if (s.ok()) *o = std::make_unique<File>(this, std::move(file));
    return s;
  }
  Status NewAppendableFile(const std::string& p, std::unique_ptr<WritableFile>* o) override {
    if (Step()) return Crashed();
    std::unique_ptr<WritableFile> file;
    Status s = disk_->NewAppendableFile(p, &file);
    if (s.ok()) *o = std::make_unique<File>(this, std::move(file));
    return s;
  }
  Status RenameFile(const std::string& f, const std::string& t) override {
    return Step() ? Crashed() : disk_->RenameFile(f, t);
  }
  Status RemoveFile(const std::string& p) override {
    return Step() ? Crashed() : disk_->RemoveFile(p);
  }
  Status SyncDir(const std::string& d) override { return Step() ? Crashed() : disk_->SyncDir(d); }
  Status CreateDir(const std::string& d) override { return disk_->CreateDir(d); }
  Status GetChildren(const std::string& d, std::vector<std::string>* n) override {
    return disk_->GetChildren(d, n);
  }
  bool FileExists(const std::string& p) override { return disk_->FileExists(p); }
  Status GetFileSize(const std::string& p, uint64_t* b) override {
    return disk_->GetFileSize(p, b);
  }
  Status GetFileMode(const std::string& p, uint32_t* m) override {
    return disk_->GetFileMode(p, m);
  }
  Status TruncateFile(const std::string& p, uint64_t b) override {
    return Step() ? Crashed() : disk_->TruncateFile(p, b);
  }
  Status GetFreeBytes(const std::string& d, uint64_t* b) override {
    return disk_->GetFreeBytes(d, b);
  }

 private:
  class File final : public WritableFile {
   public:
    File(CrashAtEnv* env, std::unique_ptr<WritableFile> file) : env_(env), file_(std::move(file)) {}
    Status Append(std::string_view d) override {
      return env_->Step() ? env_->Crashed() : file_->Append(d);
    }
    Status Sync() override { return env_->Step() ? env_->Crashed() : file_->Sync(); }
    Status Close() override { return file_->Close(); }

   private:
    CrashAtEnv* env_;
    std::unique_ptr<WritableFile> file_;
  };

  // True (after crashing the disk) when this call is the one to crash at, or comes after it.
  bool Step() {
    if (crashed_) return true;
    if (calls_++ != crash_at_) return false;
    disk_->Crash(FaultEnv::CrashMode::kTornTail);
    crashed_ = true;
    return true;
  }
  Status Crashed() { return Status::IOError("simulated crash"); }

  FaultEnv* disk_;
  int crash_at_;
  int calls_ = 0;
  bool crashed_ = false;
};

}  // namespace pifleet::store::testing
