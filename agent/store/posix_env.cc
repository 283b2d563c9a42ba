#include "agent/store/posix_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pifleet::store {
namespace {

Status ErrnoStatus(const std::string& context, int err) {
  std::string message = context + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Status::NoSpace(std::move(message));
  if (err == ENOENT) return Status::NotFound(std::move(message));
  return Status::IOError(std::move(message));
}

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Status Read(size_t n, std::string* out) override {
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      const ssize_t r = ::read(fd_, out->data() + done, n - done);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return ErrnoStatus(path_, errno);
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    out->resize(done);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status Read(uint64_t offset, size_t n, std::string* out) override {
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      const ssize_t r =
          ::pread(fd_, out->data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return ErrnoStatus(path_, errno);
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    out->resize(done);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    while (!data.empty()) {
      const ssize_t r = ::write(fd_, data.data(), data.size());
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return ErrnoStatus(path_, errno);
      data.remove_prefix(static_cast<size_t>(r));
    }
    return Status::Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus(path_ + ": fdatasync", errno);
    return Status::Ok();
  }

  Status Close() override {
    const int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0) return ErrnoStatus(path_ + ": close", errno);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

// Everything written through the Env is data-dir state, and some of it is secret (WAL records
// of `key install`, snapshots holding the cluster keyring): files are 0600, directories 0700.
constexpr mode_t kFileMode = 0600;
constexpr mode_t kDirMode = 0700;

Status OpenFd(const std::string& path, int flags, int* fd) {
  do {
    *fd = ::open(path.c_str(), flags | O_CLOEXEC, kFileMode);
  } while (*fd < 0 && errno == EINTR);
  if (*fd < 0) return ErrnoStatus(path, errno);
  return Status::Ok();
}

// A file opened for writing that existed before (a temp file or WAL segment of an older build)
// keeps the mode it had; this takes its group and other bits away.
Status OpenPrivateForWrite(const std::string& path, int flags, int* fd) {
  Status s = OpenFd(path, flags, fd);
  if (s.ok() && ::fchmod(*fd, kFileMode) != 0) {
    s = ErrnoStatus(path + ": chmod", errno);
    ::close(*fd);
    *fd = -1;
  }
  return s;
}

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing the last descriptor drops the flock

 private:
  int fd_;
};

// The PID a holder wrote into its lock file, or "unknown" (it may not have written it yet).
std::string LockHolder(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof(text) - 1, 0);
  std::string pid;
  for (ssize_t i = 0; i < n && text[i] >= '0' && text[i] <= '9'; ++i) pid.push_back(text[i]);
  return pid.empty() ? "unknown" : pid;
}

Status LockPath(const std::string& path, std::unique_ptr<FileLock>* lock) {
  int fd = -1;
  Status s = OpenPrivateForWrite(path, O_RDWR | O_CREAT, &fd);
  if (!s.ok()) return s;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    s = err == EWOULDBLOCK ? Status::IOError(path + " is held by PID " + LockHolder(fd))
                           : ErrnoStatus(path + ": flock", err);
    ::close(fd);
    return s;
  }
  // For the message a second process prints; the lock itself is the flock, not this text.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    s = ErrnoStatus(path, errno);
    ::close(fd);
    return s;
  }
  *lock = std::make_unique<PosixFileLock>(fd);
  return Status::Ok();
}

class PosixEnvImpl final : public Env {
 public:
  Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* out) override {
    int fd = -1;
    Status s = OpenFd(path, O_RDONLY, &fd);
    if (s.ok()) *out = std::make_unique<PosixSequentialFile>(path, fd);
    return s;
  }

  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* out) override {
    int fd = -1;
    Status s = OpenFd(path, O_RDONLY, &fd);
    if (s.ok()) *out = std::make_unique<PosixRandomAccessFile>(path, fd);
    return s;
  }

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) override {
    int fd = -1;
    Status s = OpenPrivateForWrite(path, O_WRONLY | O_CREAT | O_TRUNC, &fd);
    if (s.ok()) *out = std::make_unique<PosixWritableFile>(path, fd);
    return s;
  }

  Status NewAppendableFile(const std::string& path, std::unique_ptr<WritableFile>* out) override {
    int fd = -1;
    Status s = OpenPrivateForWrite(path, O_WRONLY | O_CREAT | O_APPEND, &fd);
    if (s.ok()) *out = std::make_unique<PosixWritableFile>(path, fd);
    return s;
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus("rename " + from + " -> " + to, errno);
    }
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink " + path, errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = -1;
    Status s = OpenFd(dir, O_RDONLY | O_DIRECTORY, &fd);
    if (!s.ok()) return s;
    if (::fsync(fd) != 0) s = ErrnoStatus(dir + ": fsync", errno);
    ::close(fd);
    return s;
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), kDirMode) == 0) return Status::Ok();
    if (errno != EEXIST) return ErrnoStatus("mkdir " + dir, errno);
    // One made by an older build (0755): private from now on.
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return ErrnoStatus(dir, errno);
    if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), st.st_mode & kDirMode) != 0) {
      return ErrnoStatus("chmod " + dir, errno);
    }
    return Status::Ok();
  }

  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus(dir, errno);
    while (const dirent* entry = ::readdir(d)) {
      const std::string name = entry->d_name;
      struct stat st;
      if (::stat(JoinPath(dir, name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        names->push_back(name);
      }
    }
    ::closedir(d);
    std::sort(names->begin(), names->end());
    return Status::Ok();
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status GetFileSize(const std::string& path, uint64_t* bytes) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(path, errno);
    *bytes = static_cast<uint64_t>(st.st_size);
    return Status::Ok();
  }

  Status GetFileMode(const std::string& path, uint32_t* mode) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(path, errno);
    static_assert(S_IFMT == kModeTypeMask && S_IFREG == kModeRegular && S_IFDIR == kModeDirectory,
                  "stat(2)'s mode bits");
    *mode = static_cast<uint32_t>(st.st_mode);
    return Status::Ok();
  }

  Status TruncateFile(const std::string& path, uint64_t bytes) override {
    int fd = -1;
    Status s = OpenFd(path, O_WRONLY, &fd);
    if (!s.ok()) return s;
    if (::ftruncate(fd, static_cast<off_t>(bytes)) != 0) {
      s = ErrnoStatus(path + ": ftruncate", errno);
    } else if (::fsync(fd) != 0) {
      s = ErrnoStatus(path + ": fsync", errno);
    }
    ::close(fd);
    return s;
  }

  Status GetFreeBytes(const std::string& dir, uint64_t* bytes) override {
    struct statvfs st;
    if (::statvfs(dir.c_str(), &st) != 0) return ErrnoStatus(dir, errno);
    *bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
    return Status::Ok();
  }

  Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) override {
    return LockPath(path, lock);
  }
};

}  // namespace

Env* PosixEnv() {
  static PosixEnvImpl env;
  return &env;
}

}  // namespace pifleet::store
