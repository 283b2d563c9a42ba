#include "agent/daemon/journal.h"

#include <cstdint>
#include <utility>

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

JournalSocket::JournalSocket(std::string path) : socket_("journal", std::move(path)) {}

Status JournalSocket::Send(const JournalFields& fields) {
  return socket_.Send(EncodeJournalEntry(fields));
}

}  // namespace pifleet::daemon
