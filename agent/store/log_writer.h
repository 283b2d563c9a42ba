// Encodes logical records into the log format. The writer produces bytes and the caller writes
// them: the WAL stages them in memory so that one fdatasync covers a whole group commit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pifleet::store::log {

class Writer {
 public:
  // file_bytes: how long the log file already is (the writer continues its block layout).
  explicit Writer(uint64_t file_bytes = 0);

  // Appends the encoding of payload to *out and advances the file position.
  void AddRecord(std::string_view payload, std::string* out);

  uint64_t file_bytes() const { return file_bytes_; }

 private:
  void EmitPhysicalRecord(uint8_t type, const char* data, size_t length, std::string* out);

  uint64_t file_bytes_;
  size_t block_offset_;  // file_bytes_ % kBlockBytes
};

}  // namespace pifleet::store::log
