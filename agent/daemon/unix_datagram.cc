#include "agent/daemon/unix_datagram.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

namespace pifleet::daemon {

UnixDatagramSocket::UnixDatagramSocket(std::string what, std::string path)
    : what_(std::move(what)), path_(std::move(path)) {}

UnixDatagramSocket::~UnixDatagramSocket() {
  if (fd_ >= 0) close(fd_);
}

Status UnixDatagramSocket::Send(std::string_view datagram) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.empty() || path_.size() >= sizeof(address.sun_path) ||
      (path_[0] != '/' && path_[0] != '@')) {
    return Status::InvalidArgument(what_ + " socket path '" + path_ + "' is not usable");
  }
  std::memcpy(address.sun_path, path_.data(), path_.size());
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  const socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size());
  if (fd_ < 0) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Status::IOError(what_ + " socket: " + std::strerror(errno));
  }
  if (sendto(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL,
             reinterpret_cast<const sockaddr*>(&address), length) < 0) {
    return Status::IOError(what_ + " " + path_ + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace pifleet::daemon
