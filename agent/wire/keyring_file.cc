#include "agent/wire/keyring_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace pifleet::wire {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string EncodeKeyringFile(const Keyring& keyring, uint64_t applied_slot) {
  std::string out = "# pifleet keyring: managed by `pifleet key`; keep it mode 0600\n";
  out += "applied_slot " + std::to_string(applied_slot) + "\n";
  for (uint8_t id : keyring.ids()) {
    out += (keyring.primary_id() == id ? "primary " : "key ") + FormatKey(*keyring.Find(id)) + "\n";
  }
  return out;
}

Status DecodeKeyringFile(std::string_view text, const std::string& source, Keyring* keyring,
                         uint64_t* applied_slot) {
  Keyring parsed;
  std::optional<uint8_t> primary;
  std::optional<uint64_t> slot;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const auto bad = [&](const std::string& why) {
      return Status::Corruption(source + ":" + std::to_string(number) + ": " + why);
    };
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos) return bad("expected 'WORD VALUE'");
    const std::string word = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    if (word == "applied_slot") {
      uint64_t parsed_slot = 0;
      const auto [end, error] =
          std::from_chars(value.data(), value.data() + value.size(), parsed_slot);
      if (error != std::errc() || end != value.data() + value.size()) return bad("bad slot");
      slot = parsed_slot;
    } else if (word == "primary" || word == "key") {
      KeyBytes key;
      if (Status status = ParseKey(value, &key); !status.ok()) return bad(status.message());
      if (Status status = parsed.Install(key); !status.ok()) return bad(status.message());
      if (word == "primary") {
        if (primary) return bad("two primary keys");
        primary = KeyId(key);
      }
    } else {
      return bad("unknown word '" + word + "'");
    }
  }
  if (!slot) return Status::Corruption(source + ": no applied_slot line");
  if (!primary) return Status::Corruption(source + ": no primary key");
  if (Status status = parsed.Use(*primary); !status.ok()) return status;
  *keyring = std::move(parsed);
  *applied_slot = *slot;
  return Status::Ok();
}

Status SaveKeyringFile(const std::string& path, const Keyring& keyring, uint64_t applied_slot) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create", temp);
  Status status = WriteAll(fd, EncodeKeyringFile(keyring, applied_slot), temp);
  // An older temp file may have had looser bits: the mode is set whatever open() found.
  if (status.ok() && ::fchmod(fd, 0600) != 0) status = Errno("cannot chmod", temp);
  if (status.ok() && ::fsync(fd) != 0) status = Errno("cannot sync", temp);
  ::close(fd);
  if (!status.ok()) return status;
  if (::rename(temp.c_str(), path.c_str()) != 0) return Errno("cannot rename to", path);
  const std::string dir = DirOf(path);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Errno("cannot open", dir);
  const bool synced = ::fsync(dir_fd) == 0;
  ::close(dir_fd);
  return synced ? Status::Ok() : Errno("cannot sync", dir);
}

Status LoadKeyringFile(const std::string& path, Keyring* keyring, uint64_t* applied_slot) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    if (::access(path.c_str(), F_OK) != 0) return Status::NotFound(path + " does not exist");
    return Status::IOError("cannot read " + path);
  }
  std::ostringstream text;
  text << file.rdbuf();
  return DecodeKeyringFile(text.str(), path, keyring, applied_slot);
}

}  // namespace pifleet::wire
