// journald's native protocol (systemd.io/JOURNAL_NATIVE_PROTOCOL): one datagram per entry to
// /run/systemd/journal/socket, each field "NAME=value\n", or "NAME\n" + its length as 64-bit
// little-endian + the value + "\n" where the value holds a newline. Spoken directly (a few dozen
// lines) instead of linking libsystemd, which with its compression and crypto libraries cost
// every agent about 700 KiB of resident memory for this one call (issue 20), and which the fully
// static build could not link at all.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "agent/daemon/unix_datagram.h"

namespace pifleet::daemon {

using JournalFields = std::vector<std::pair<std::string_view, std::string_view>>;

// One entry in the native format. Field names must be upper case ASCII, digits and '_'.
std::string EncodeJournalEntry(const JournalFields& fields);

class JournalSocket {
 public:
  explicit JournalSocket(std::string path = "/run/systemd/journal/socket");

  // Sends one entry; an error (no journal, an entry larger than a datagram) leaves it unsent.
  Status Send(const JournalFields& fields);

 private:
  UnixDatagramSocket socket_;
};

}  // namespace pifleet::daemon
