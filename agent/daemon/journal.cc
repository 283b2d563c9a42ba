#include "agent/daemon/journal.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pifleet::daemon {

std::string EncodeJournalEntry(const JournalFields& fields) {
  std::string entry;
  for (const auto& [name, value] : fields) {
    entry.append(name);
    if (value.find('\n') == std::string_view::npos) {
      entry.append("=").append(value).append("\n");
      continue;
    }
    entry.push_back('\n');
    uint64_t length = value.size();
    for (int i = 0; i < 8; ++i, length >>= 8) entry.push_back(static_cast<char>(length & 0xff));
    entry.append(value).append("\n");
  }
  return entry;
}

JournalSocket::JournalSocket(std::string path) : path_(std::move(path)) {}

JournalSocket::~JournalSocket() {
  if (fd_ >= 0) close(fd_);
}

Status JournalSocket::Send(const JournalFields& fields) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.empty() || path_.size() >= sizeof(address.sun_path)) {
    return Status::InvalidArgument("journal socket path '" + path_ + "' is not usable");
  }
  if (fd_ < 0) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Status::IOError(std::string("journal socket: ") + std::strerror(errno));
  }
  std::memcpy(address.sun_path, path_.data(), path_.size());
  const socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size());
  const std::string entry = EncodeJournalEntry(fields);
  if (sendto(fd_, entry.data(), entry.size(), MSG_NOSIGNAL,
             reinterpret_cast<const sockaddr*>(&address), length) < 0) {
    return Status::IOError("journal " + path_ + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace pifleet::daemon
