#include "agent/daemon/notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace pifleet::daemon {

Notifier Notifier::FromEnvironment() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  const char* usec = std::getenv("WATCHDOG_USEC");
  uint64_t watchdog_usec = 0;
  if (usec != nullptr) watchdog_usec = std::strtoull(usec, nullptr, 10);
  return Notifier(path != nullptr ? path : "", watchdog_usec);
}

Notifier::Notifier(std::string socket_path, uint64_t watchdog_usec)
    : socket_path_(std::move(socket_path)), watchdog_usec_(watchdog_usec) {}

Status Notifier::SetStatus(std::string_view text) {
  std::string line = "STATUS=";
  for (char c : text) line.push_back(c == '\n' ? ' ' : c);  // one assignment per line
  return Send(line);
}

Status Notifier::Send(std::string_view assignments) {
  if (!enabled()) return Status::Ok();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(address.sun_path) ||
      (socket_path_[0] != '/' && socket_path_[0] != '@')) {
    return Status::InvalidArgument("NOTIFY_SOCKET '" + socket_path_ + "' is not usable");
  }
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  const socklen_t length =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());

  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError(std::string("notify socket: ") + std::strerror(errno));
  const ssize_t sent = sendto(fd, assignments.data(), assignments.size(), MSG_NOSIGNAL,
                              reinterpret_cast<const sockaddr*>(&address), length);
  const int saved_errno = errno;
  close(fd);
  if (sent < 0) {
    return Status::IOError("notify " + socket_path_ + ": " + std::strerror(saved_errno));
  }
  return Status::Ok();
}

}  // namespace pifleet::daemon
