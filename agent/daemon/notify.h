// The systemd notify protocol (sd_notify(3)): READY=1, STATUS=..., WATCHDOG=1, STOPPING=1 sent
// as one datagram to $NOTIFY_SOCKET. Implemented directly (a dozen lines) so the fully static
// build, which has no libsystemd, speaks it too. Without $NOTIFY_SOCKET every call is a no-op.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/daemon/unix_datagram.h"

namespace pifleet::daemon {

class Notifier {
 public:
  // Reads $NOTIFY_SOCKET and $WATCHDOG_USEC once.
  static Notifier FromEnvironment();
  explicit Notifier(std::string socket_path, uint64_t watchdog_usec = 0);

  bool enabled() const { return !socket_.path().empty(); }
  // How often systemd expects WATCHDOG=1; 0 when the unit has no WatchdogSec.
  uint64_t watchdog_usec() const { return watchdog_usec_; }

  Status Ready() { return Send("READY=1"); }
  Status Stopping() { return Send("STOPPING=1"); }
  Status Watchdog() { return Send("WATCHDOG=1"); }
  Status SetStatus(std::string_view text);
  // Sends newline-separated assignments as one datagram.
  Status Send(std::string_view assignments);

 private:
  UnixDatagramSocket socket_;  // "@name" is an abstract socket
  uint64_t watchdog_usec_ = 0;
};

}  // namespace pifleet::daemon
