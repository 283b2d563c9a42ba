#include "agent/daemon/log.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace pifleet::daemon {

const char* LevelName(Level level) {
  switch (level) {
    case Level::kError:
      return "error";
    case Level::kWarning:
      return "warning";
    case Level::kNotice:
      return "notice";
    case Level::kInfo:
      return "info";
    case Level::kDebug:
      return "debug";
  }
  return "info";
}

std::optional<Level> LevelFromName(std::string_view name) {
  for (Level level :
       {Level::kError, Level::kWarning, Level::kNotice, Level::kInfo, Level::kDebug}) {
    if (name == LevelName(level)) return level;
  }
  return std::nullopt;
}

Logger::Sink Logger::DetectSink() {
  // systemd sets JOURNAL_STREAM=<dev>:<inode> of the stream it connected to stderr.
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  unsigned long long dev = 0, ino = 0;
  if (stream != nullptr && std::sscanf(stream, "%llu:%llu", &dev, &ino) == 2 &&
      fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino) {
    return Sink::kJournal;
  }
  return Sink::kStderr;
}

Logger::Logger(Sink sink, Level threshold) : sink_(sink), threshold_(threshold) {}

void Logger::Log(Level level, std::string_view message, const Fields& fields) {
  if (static_cast<int>(level) > static_cast<int>(threshold_)) return;
  Write(level, message, fields);
}

void Logger::LogLimited(std::string_view key, uint64_t now_ms, Level level,
                        std::string_view message, const Fields& fields) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(key), Bucket{}).first;
  Bucket& bucket = it->second;
  if (now_ms - bucket.window_start_ms >= kLogLimitIntervalMs) {
    bucket.window_start_ms = now_ms;
    bucket.logged = 0;
  }
  if (bucket.logged >= kLogLimitBurst) {
    ++bucket.suppressed;
    return;
  }
  ++bucket.logged;
  if (bucket.suppressed == 0) return Log(level, message, fields);
  Fields with_count = fields;
  with_count.emplace_back("SUPPRESSED", std::to_string(bucket.suppressed));
  bucket.suppressed = 0;
  Log(level, message, with_count);
}

void Logger::Write(Level level, std::string_view message, const Fields& fields) {
  if (sink_ == Sink::kJournal) {
    const std::string priority = std::to_string(static_cast<int>(level));
    std::vector<std::string> names;  // PIFLEET_<NAME>, kept alive for the views below
    names.reserve(fields.size());
    JournalFields entry{
        {"MESSAGE", message}, {"PRIORITY", priority}, {"SYSLOG_IDENTIFIER", "pifleet"}};
    for (const auto& [name, value] : fields) {
      entry.emplace_back(names.emplace_back("PIFLEET_" + name), value);
    }
    if (journal_.Send(entry).ok()) return;
    // The journal is gone (shutdown) or the entry is larger than a datagram: stderr has it.
  }
  std::string line = std::string(LevelName(level)) + " " + std::string(message);
  for (const auto& [name, value] : fields) {
    line += " ";
    for (char c : name) line.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    line += "=" + value;
  }
  line += "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace pifleet::daemon
