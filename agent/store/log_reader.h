// Reads logical records back from the log format, strictly: anything damaged before the end of
// the file is a Corruption naming the file and offset. The one tolerated damage is a torn final
// write: the file ends inside a record (a prefix of the last write survived) or in zero-filled
// bytes. The reader then stops cleanly, and valid_bytes() says where the log must be cut.
//
// A torn-looking end that is really damage is refused, not cut, so a synced record is never
// dropped silently: a record whose CRC matches the bytes present (its length field was hit) or
// an intact record after the damaged one (a torn write leaves nothing intact behind it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/store/env.h"

namespace pifleet::store::log {

class Reader {
 public:
  // file must outlive the reader; file_name is used in messages only.
  Reader(SequentialFile* file, std::string file_name, size_t record_bytes_max);

  // Reads the next logical record into *record. Returns false at the end of the log (status()
  // Ok, torn_tail() says whether bytes must be cut) or on damage (status() not Ok).
  bool ReadRecord(std::string* record);

  const Status& status() const { return status_; }
  // Offset just past the last complete logical record.
  uint64_t valid_bytes() const { return valid_bytes_; }
  // Offset of the record ReadRecord returned last.
  uint64_t last_record_offset() const { return last_record_offset_; }
  // Bytes read from the file so far (its size once ReadRecord returned false).
  uint64_t file_bytes() const { return block_file_offset_ + block_.size(); }
  // After the end: the file holds bytes past the last complete record.
  bool torn_tail() const { return status_.ok() && eof_ && file_bytes() > valid_bytes_; }

 private:
  enum class Physical { kRecord, kEnd, kError };

  Physical ReadPhysical(uint8_t* type, std::string_view* fragment, uint64_t* offset);
  // Classifies a record that runs past the end of the file: torn (kEnd) or damaged (kError).
  Physical CheckTornTail(size_t pos);
  bool IntactRecordAt(size_t pos) const;
  bool ZeroFrom(size_t pos) const;
  bool ReadBlock();
  Physical Corrupt(uint64_t offset, const std::string& what);

  SequentialFile* file_;
  std::string file_name_;
  size_t record_bytes_max_;
  std::string block_;
  size_t pos_ = 0;                  // next unread byte of block_
  uint64_t block_file_offset_ = 0;  // file offset of block_[0]
  bool eof_ = false;                // block_ is the file's last block
  Status status_;
  uint64_t valid_bytes_ = 0;
  uint64_t last_record_offset_ = 0;
};

}  // namespace pifleet::store::log
