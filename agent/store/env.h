// The file-system seam. Everything in agent/store reaches the disk only through Env, so the
// simulator can swap in FaultEnv (an in-memory disk that loses unsynced data, tears writes,
// flips bits and fills up). Every error is a Status naming the path; a full disk is NoSpace.
//
// Durability contract, the same for both implementations:
// - WritableFile::Append hands data to the OS; only WritableFile::Sync makes it durable.
// - A new, renamed or removed directory entry is durable only after SyncDir on its directory.
// - TruncateFile is durable when it returns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace pifleet::store {

// Reads a file from start to end. Not thread-safe.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Replaces *out with up to n bytes; fewer only at the end of the file (empty at the end).
  virtual Status Read(size_t n, std::string* out) = 0;
};

// Reads any range of a file. Not thread-safe.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Replaces *out with up to n bytes at offset; fewer only at the end of the file.
  virtual Status Read(uint64_t offset, size_t n, std::string* out) = 0;
};

// Appends to a file. One owner at a time (the WAL serialises its syncs).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // fdatasync: every byte appended so far is durable when this returns Ok.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

// An exclusive lock taken by Env::LockFile; released when destroyed (or when the process ends).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// Bits of the mode Env::GetFileMode gives (S_IFMT, S_IFREG, S_IFDIR and 07777 in <sys/stat.h>).
inline constexpr uint32_t kModeTypeMask = 0170000;
inline constexpr uint32_t kModeRegular = 0100000;
inline constexpr uint32_t kModeDirectory = 0040000;
inline constexpr uint32_t kModePermissions = 07777;

class Env {
 public:
  virtual ~Env() = default;

  virtual Status NewSequentialFile(const std::string& path,
                                   std::unique_ptr<SequentialFile>* out) = 0;
  virtual Status NewRandomAccessFile(const std::string& path,
                                     std::unique_ptr<RandomAccessFile>* out) = 0;
  // Creates the file, or truncates it to zero bytes if it exists. New and reopened files are
  // readable by their owner only (PosixEnv: 0600), as are directories (0700).
  virtual Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) = 0;
  // Opens the file for appending at its end; creates it if missing.
  virtual Status NewAppendableFile(const std::string& path, std::unique_ptr<WritableFile>* out) = 0;

  // Replaces `to` atomically (rename(2)); durable after SyncDir of the directory.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status SyncDir(const std::string& dir) = 0;
  // Creates one directory level; Ok if it already exists (PosixEnv takes group and other
  // permissions away from an existing one).
  virtual Status CreateDir(const std::string& dir) = 0;
  // Names (not paths) of the regular files in dir, sorted.
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* names) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  virtual Status GetFileSize(const std::string& path, uint64_t* bytes) = 0;
  // The file's type and permission bits as stat(2) gives them (kModeDirectory, kModePermissions;
  // FaultEnv: 0600 files and 0700 directories, as NewWritableFile and CreateDir make them).
  virtual Status GetFileMode(const std::string& path, uint32_t* mode) = 0;
  // Shortens the file to bytes and makes that durable.
  virtual Status TruncateFile(const std::string& path, uint64_t bytes) = 0;
  // Bytes an unprivileged writer may still add on the file system holding dir.
  virtual Status GetFreeBytes(const std::string& dir, uint64_t* bytes) = 0;
  // Takes an exclusive lock on path (created if missing), held until *lock is destroyed. If
  // another process (PosixEnv: flock(2)) or holder (FaultEnv) has it: IOError whose message
  // names path and the holder's PID ("... is held by PID 1234"). Never waits. Envs that cannot
  // lock refuse.
  virtual Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock);
};

// "dir" + "/" + "name".
std::string JoinPath(std::string_view dir, std::string_view name);

// Reads a whole (small) file.
Status ReadFileToString(Env* env, const std::string& path, std::string* out);

// Replaces path with data atomically: write path.tmp, sync it, rename over path, sync dir.
Status WriteFileAtomically(Env* env, const std::string& dir, const std::string& name,
                           std::string_view data);

}  // namespace pifleet::store
