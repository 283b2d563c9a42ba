#include "agent/daemon/notify.h"

#include <cstdlib>
#include <utility>

namespace pifleet::daemon {

Notifier Notifier::FromEnvironment() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  const char* usec = std::getenv("WATCHDOG_USEC");
  uint64_t watchdog_usec = 0;
  if (usec != nullptr) watchdog_usec = std::strtoull(usec, nullptr, 10);
  return Notifier(path != nullptr ? path : "", watchdog_usec);
}

Notifier::Notifier(std::string socket_path, uint64_t watchdog_usec)
    : socket_("notify", std::move(socket_path)), watchdog_usec_(watchdog_usec) {}

Status Notifier::SetStatus(std::string_view text) {
  std::string line = "STATUS=";
  for (char c : text) line.push_back(c == '\n' ? ' ' : c);  // one assignment per line
  return Send(line);
}

Status Notifier::Send(std::string_view assignments) {
  if (!enabled()) return Status::Ok();
  return socket_.Send(assignments);
}

}  // namespace pifleet::daemon
