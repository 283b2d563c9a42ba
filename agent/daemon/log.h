// Logging for the agent: structured journald entries (the native protocol, with PIFLEET_* fields)
// when stderr is connected to the journal, plain "level message key=value" lines otherwise.
// Logs about untrusted input go through a rate limit so a flood cannot flood the journal.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/daemon/daemon_constants.h"
#include "agent/daemon/journal.h"

namespace pifleet::daemon {

// syslog priorities, as journald stores them.
enum class Level : int { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

using Fields = std::vector<std::pair<std::string, std::string>>;  // upper-case field names

class Logger {
 public:
  enum class Sink { kStderr, kJournal };

  // Picks the journal when $JOURNAL_STREAM names our stderr (systemd connected it).
  static Sink DetectSink();
  explicit Logger(Sink sink, Level threshold = Level::kInfo);

  void Log(Level level, std::string_view message, const Fields& fields = {});
  // Logs at most `burst` messages per `interval_ms` for one `key`; counts the rest and reports
  // how many were suppressed with the next message that passes.
  void LogLimited(std::string_view key, uint64_t now_ms, Level level, std::string_view message,
                  const Fields& fields = {});

  void set_threshold(Level threshold) { threshold_ = threshold; }
  Sink sink() const { return sink_; }

 private:
  struct Bucket {
    uint64_t window_start_ms = 0;
    uint32_t logged = 0;
    uint64_t suppressed = 0;
  };
  void Write(Level level, std::string_view message, const Fields& fields);

  Sink sink_;
  Level threshold_;
  JournalSocket journal_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

const char* LevelName(Level level);
// The level of a name LevelName gives; nullopt for any other text.
std::optional<Level> LevelFromName(std::string_view name);

}  // namespace pifleet::daemon
