// Datagrams to one AF_UNIX datagram socket: journald's native socket and systemd's notify
// socket. The socket is opened at the first Send and kept open.
#pragma once

#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace pifleet::daemon {

class UnixDatagramSocket {
 public:
  // `what` names the socket in errors ("journal", "notify"). `path` is absolute, or "@name"
  // for the abstract namespace.
  UnixDatagramSocket(std::string what, std::string path);
  ~UnixDatagramSocket();
  UnixDatagramSocket(const UnixDatagramSocket&) = delete;
  UnixDatagramSocket& operator=(const UnixDatagramSocket&) = delete;

  const std::string& path() const { return path_; }
  // One datagram; an error (no listener, a datagram too large) leaves it unsent.
  Status Send(std::string_view datagram);

 private:
  std::string what_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace pifleet::daemon
