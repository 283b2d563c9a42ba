#include "agent/store/fault_env.h"

#include <unistd.h>

#include <algorithm>
#include <unordered_set>

#include "agent/base/assert.h"

namespace pifleet::store {
namespace {

std::string ParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

Status Crashed(const std::string& path) {
  return Status::IOError(path + ": handle opened before a simulated crash");
}

}  // namespace

// One handle; it holds the inode, so a rename or remove does not disturb it (as with POSIX).
class FaultEnv::File final : public SequentialFile, public RandomAccessFile, public WritableFile {
 public:
  File(FaultEnv* env, std::string path, std::shared_ptr<Inode> inode, uint64_t generation)
      : env_(env), path_(std::move(path)), inode_(std::move(inode)), generation_(generation) {}

  Status Read(size_t n, std::string* out) override {
    Status s = env_->ReadAt(inode_, generation_, position_, n, out);
    if (s.ok()) position_ += out->size();
    return s;
  }
  Status Read(uint64_t offset, size_t n, std::string* out) override {
    return env_->ReadAt(inode_, generation_, offset, n, out);
  }
  Status Append(std::string_view data) override {
    return env_->AppendTo(inode_, generation_, path_, data);
  }
  Status Sync() override { return env_->SyncInode(inode_, generation_, path_); }
  Status Close() override { return Status::Ok(); }

 private:
  FaultEnv* env_;
  std::string path_;
  std::shared_ptr<Inode> inode_;
  uint64_t generation_;
  uint64_t position_ = 0;
};

FaultEnv::FaultEnv(uint64_t seed) : rng_(seed) { dirs_.insert(""); }

FaultEnv::~FaultEnv() = default;

uint64_t FaultEnv::NextRandom(uint64_t bound) {
  if (bound == UINT64_MAX) return rng_();
  return rng_() % (bound + 1);
}

void FaultEnv::Crash(CrashMode mode) {
  std::lock_guard lock(mu_);
  CrashLocked(mode, std::string(), 0);
}

void FaultEnv::CrashKeeping(const std::string& path, uint64_t keep_unsynced_bytes) {
  std::lock_guard lock(mu_);
  CrashLocked(CrashMode::kDropUnsynced, path, keep_unsynced_bytes);
}

void FaultEnv::CrashLocked(CrashMode mode, const std::string& keep_path, uint64_t keep_bytes) {
  std::shared_ptr<Inode> keep_inode;
  if (auto it = live_.find(keep_path); it != live_.end()) keep_inode = it->second;
  // Walk inodes in name order so that the random draws are deterministic.
  std::unordered_set<Inode*> done;
  for (auto* names : {&live_, &durable_}) {
    for (auto& [path, inode] : *names) {
      if (!done.insert(inode.get()).second) continue;
      const uint64_t unsynced = inode->data.size() - inode->synced_bytes;
      uint64_t kept = 0;
      if (inode == keep_inode) {
        kept = std::min(keep_bytes, unsynced);
      } else if (mode == CrashMode::kTornTail) {
        kept = NextRandom(unsynced);
      }
      inode->data.resize(inode->synced_bytes + kept);
      inode->synced_bytes = inode->data.size();
    }
  }
  live_ = durable_;
  ++generation_;
  locks_.clear();  // the processes that held them are gone
}

bool FaultEnv::FlipBit(const std::string& path, uint64_t offset, int bit) {
  PIFLEET_ASSERT(bit >= 0 && bit < 8);
  std::lock_guard lock(mu_);
  auto it = live_.find(path);
  if (it == live_.end() || offset >= it->second->data.size()) return false;
  it->second->data[offset] = static_cast<char>(it->second->data[offset] ^ (1 << bit));
  return true;
}

void FaultEnv::SetSpaceLimitBytes(uint64_t bytes) {
  std::lock_guard lock(mu_);
  space_limit_bytes_ = bytes;
}

void FaultEnv::FailNextSyncs(int count) {
  PIFLEET_ASSERT(count >= 0);
  std::lock_guard lock(mu_);
  failing_syncs_ = count;
}

void FaultEnv::SetSyncLatencyTicks(uint64_t min_ticks, uint64_t max_ticks) {
  PIFLEET_ASSERT(min_ticks <= max_ticks);
  std::lock_guard lock(mu_);
  sync_latency_min_ticks_ = min_ticks;
  sync_latency_max_ticks_ = max_ticks;
}

FaultEnv::SyncStats FaultEnv::sync_stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

uint64_t FaultEnv::used_bytes() const {
  std::lock_guard lock(mu_);
  return UsedBytesLocked();
}

uint64_t FaultEnv::UsedBytesLocked() const {
  std::unordered_set<const Inode*> seen;
  uint64_t total = 0;
  for (const auto* names : {&live_, &durable_}) {
    for (const auto& [path, inode] : *names) {
      if (seen.insert(inode.get()).second) total += inode->data.size();
    }
  }
  return total;
}

uint64_t FaultEnv::SyncedBytes(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = live_.find(path);
  return it == live_.end() ? 0 : it->second->synced_bytes;
}

Status FaultEnv::ReadAt(const std::shared_ptr<Inode>& inode, uint64_t generation, uint64_t offset,
                        size_t n, std::string* out) {
  std::lock_guard lock(mu_);
  if (generation != generation_) return Crashed("read");
  out->clear();
  if (offset < inode->data.size()) out->assign(inode->data, offset, n);
  return Status::Ok();
}

Status FaultEnv::AppendTo(const std::shared_ptr<Inode>& inode, uint64_t generation,
                          const std::string& path, std::string_view data) {
  std::lock_guard lock(mu_);
  if (generation != generation_) return Crashed(path);
  const uint64_t used = UsedBytesLocked();
  if (used + data.size() > space_limit_bytes_ || used + data.size() < used) {
    return Status::NoSpace(path + ": simulated disk full");
  }
  inode->data.append(data);
  return Status::Ok();
}

Status FaultEnv::SyncInode(const std::shared_ptr<Inode>& inode, uint64_t generation,
                           const std::string& path) {
  std::lock_guard lock(mu_);
  if (generation != generation_) return Crashed(path);
  if (failing_syncs_ > 0) {
    --failing_syncs_;
    return Status::IOError(path + ": simulated fdatasync failure");
  }
  inode->synced_bytes = inode->data.size();
  const uint64_t span = sync_latency_max_ticks_ - sync_latency_min_ticks_;
  stats_.last_latency_ticks = sync_latency_min_ticks_ + (span == 0 ? 0 : NextRandom(span));
  stats_.latency_ticks_total += stats_.last_latency_ticks;
  ++stats_.file_syncs;
  return Status::Ok();
}

Status FaultEnv::NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* out) {
  std::lock_guard lock(mu_);
  auto it = live_.find(path);
  if (it == live_.end()) return Status::NotFound(path);
  *out = std::make_unique<File>(this, path, it->second, generation_);
  return Status::Ok();
}

Status FaultEnv::NewRandomAccessFile(const std::string& path,
                                     std::unique_ptr<RandomAccessFile>* out) {
  std::lock_guard lock(mu_);
  auto it = live_.find(path);
  if (it == live_.end()) return Status::NotFound(path);
  *out = std::make_unique<File>(this, path, it->second, generation_);
  return Status::Ok();
}

Status FaultEnv::OpenForWrite(const std::string& path, bool truncate,
                              std::unique_ptr<WritableFile>* out) {
  std::lock_guard lock(mu_);
  if (dirs_.count(ParentDir(path)) == 0) return Status::NotFound(path + ": no such directory");
  auto& inode = live_[path];
  if (inode == nullptr) {
    inode = std::make_shared<Inode>();
  } else if (truncate) {
    // O_TRUNC: the old bytes are gone at once; a crash keeps none of them.
    inode->data.clear();
    inode->synced_bytes = 0;
  }
  *out = std::make_unique<File>(this, path, inode, generation_);
  return Status::Ok();
}

Status FaultEnv::NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) {
  return OpenForWrite(path, /*truncate=*/true, out);
}

Status FaultEnv::NewAppendableFile(const std::string& path, std::unique_ptr<WritableFile>* out) {
  return OpenForWrite(path, /*truncate=*/false, out);
}

Status FaultEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto it = live_.find(from);
  if (it == live_.end()) return Status::NotFound("rename " + from);
  if (dirs_.count(ParentDir(to)) == 0) return Status::NotFound("rename to " + to);
  std::shared_ptr<Inode> inode = it->second;
  live_.erase(it);
  live_[to] = std::move(inode);
  return Status::Ok();
}

Status FaultEnv::RemoveFile(const std::string& path) {
  std::lock_guard lock(mu_);
  if (live_.erase(path) == 0) return Status::NotFound("unlink " + path);
  return Status::Ok();
}

Status FaultEnv::SyncDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (dirs_.count(dir) == 0) return Status::NotFound(dir);
  std::erase_if(durable_, [&](const auto& entry) { return ParentDir(entry.first) == dir; });
  for (const auto& [path, inode] : live_) {
    if (ParentDir(path) == dir) durable_[path] = inode;
  }
  ++stats_.dir_syncs;
  return Status::Ok();
}

Status FaultEnv::CreateDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  // Directories are durable at once: the store creates them only at first start.
  dirs_.insert(dir);
  return Status::Ok();
}

Status FaultEnv::GetChildren(const std::string& dir, std::vector<std::string>* names) {
  std::lock_guard lock(mu_);
  if (dirs_.count(dir) == 0) return Status::NotFound(dir);
  names->clear();
  for (const auto& [path, inode] : live_) {
    if (ParentDir(path) == dir) names->push_back(path.substr(dir.size() + 1));
  }
  return Status::Ok();  // std::map keeps them sorted
}

bool FaultEnv::FileExists(const std::string& path) {
  std::lock_guard lock(mu_);
  return live_.count(path) != 0;
}

Status FaultEnv::GetFileSize(const std::string& path, uint64_t* bytes) {
  std::lock_guard lock(mu_);
  auto it = live_.find(path);
  if (it == live_.end()) return Status::NotFound(path);
  *bytes = it->second->data.size();
  return Status::Ok();
}

Status FaultEnv::GetFileMode(const std::string& path, uint32_t* mode) {
  std::lock_guard lock(mu_);
  // Every file and directory is made owner-only, as PosixEnv makes them.
  if (live_.count(path) != 0) {
    *mode = kModeRegular | 0600;
  } else if (dirs_.count(path) != 0) {
    *mode = kModeDirectory | 0700;
  } else {
    return Status::NotFound(path);
  }
  return Status::Ok();
}

Status FaultEnv::TruncateFile(const std::string& path, uint64_t bytes) {
  std::lock_guard lock(mu_);
  auto it = live_.find(path);
  if (it == live_.end()) return Status::NotFound(path);
  Inode& inode = *it->second;
  if (bytes < inode.data.size()) inode.data.resize(bytes);
  inode.synced_bytes = std::min<uint64_t>(inode.synced_bytes, inode.data.size());
  return Status::Ok();
}

Status FaultEnv::GetFreeBytes(const std::string& dir, uint64_t* bytes) {
  std::lock_guard lock(mu_);
  if (dirs_.count(dir) == 0) return Status::NotFound(dir);
  const uint64_t used = UsedBytesLocked();
  *bytes = space_limit_bytes_ > used ? space_limit_bytes_ - used : 0;
  return Status::Ok();
}

class FaultEnv::Lock final : public FileLock {
 public:
  Lock(FaultEnv* env, std::string path, uint64_t token)
      : env_(env), path_(std::move(path)), token_(token) {}
  ~Lock() override {
    std::lock_guard lock(env_->mu_);
    auto it = env_->locks_.find(path_);
    if (it != env_->locks_.end() && it->second == token_) env_->locks_.erase(it);
  }

 private:
  FaultEnv* env_;
  std::string path_;
  uint64_t token_;
};

Status FaultEnv::LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) {
  std::lock_guard guard(mu_);
  if (dirs_.count(ParentDir(path)) == 0) return Status::NotFound(path + ": no such directory");
  // The holder is in this process (the disk is in memory), so its PID is ours.
  if (locks_.count(path) != 0) {
    return Status::IOError(path + " is held by PID " + std::to_string(::getpid()));
  }
  const uint64_t token = next_lock_token_++;
  locks_[path] = token;
  *lock = std::make_unique<Lock>(this, path, token);
  return Status::Ok();
}

}  // namespace pifleet::store
