#include "hal/sysfs_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "agent/base/assert.h"
#include "hal/constants.h"

namespace pifleet::hal {

std::string JoinSysroot(std::string_view sysroot, std::string_view path) {
  std::string out(sysroot.empty() ? "/" : sysroot);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (out.back() != '/') out.push_back('/');
  out.append(path);
  return out;
}

namespace {

thread_local OpenFileCache* t_file_cache = nullptr;

// The whole text from offset 0 (pread: an fd kept open reads from the start again, and sysfs
// and procfs make the text anew for a read at offset 0), at most kProbeFileBytesMax bytes.
std::optional<std::string> ReadFromStart(int fd) {
  std::string out;
  char buf[4096];
  while (out.size() < kProbeFileBytesMax) {
    const ssize_t n = ::pread(fd, buf, sizeof(buf), static_cast<off_t>(out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    // sysfs and procfs fill the buffer while text remains: a short read was the end, and the
    // read that would return 0 is saved.
    if (static_cast<std::size_t>(n) < sizeof(buf)) break;
  }
  if (out.size() > kProbeFileBytesMax) out.resize(kProbeFileBytesMax);
  return out;
}

int OpenForReading(const std::string& path) { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }

std::optional<std::string> OpenAndRead(const std::string& path) {
  const int fd = OpenForReading(path);
  if (fd < 0) return std::nullopt;
  auto out = ReadFromStart(fd);
  ::close(fd);
  return out;
}

}  // namespace

OpenFileCache::~OpenFileCache() { Clear(); }

void OpenFileCache::Clear() {
  for (const auto& [path, fd] : fds_) ::close(fd);
  fds_.clear();
}

std::optional<std::string> OpenFileCache::Read(const std::string& path) {
  auto it = fds_.find(path);
  if (it == fds_.end()) {
    if (fds_.size() >= kOpenProbeFilesMax) return OpenAndRead(path);
    const int fd = OpenForReading(path);
    if (fd < 0) return std::nullopt;
    it = fds_.emplace(path, fd).first;
  }
  auto out = ReadFromStart(it->second);
  if (!out) {  // a file gone under it (a removed cgroup): opened again next time
    ::close(it->second);
    fds_.erase(it);
  }
  return out;
}

ScopedFileCache::ScopedFileCache(OpenFileCache* cache) : previous_(t_file_cache) {
  t_file_cache = cache;
}

ScopedFileCache::~ScopedFileCache() { t_file_cache = previous_; }

std::optional<std::string> ReadFile(const std::string& path) {
  return t_file_cache != nullptr ? t_file_cache->Read(path) : OpenAndRead(path);
}

std::string_view Trim(std::string_view text) {
  auto junk = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0'; };
  while (!text.empty() && junk(text.front())) text.remove_prefix(1);
  while (!text.empty() && junk(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<std::string> ReadLine(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return std::nullopt;
  std::string_view view(*text);
  const auto end = view.find('\n');
  if (end != std::string_view::npos) view = view.substr(0, end);
  return std::string(Trim(view));
}

std::optional<int64_t> ParseInt(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<uint64_t> ParseHex(std::string_view text) {
  text = Trim(text);
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int64_t> ReadInt(const std::string& path) {
  auto line = ReadLine(path);
  if (!line) return std::nullopt;
  return ParseInt(*line);
}

bool Readable(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

Status WriteFile(const std::string& path, std::string_view value) {
  // O_TRUNC is ignored by sysfs and keeps fixture files holding exactly the last value.
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": open for writing: " + std::strerror(errno));
  ssize_t n;
  do {
    n = ::write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  const int write_errno = errno;
  ::close(fd);
  if (n < 0) return Status::IOError(path + ": write: " + std::strerror(write_errno));
  PIFLEET_ASSERT(static_cast<std::size_t>(n) <= value.size());
  if (static_cast<std::size_t>(n) != value.size()) return Status::IOError(path + ": short write");
  return Status::Ok();
}

}  // namespace pifleet::hal
