#include "agent/store/log_reader.h"

#include "agent/base/bytes.h"
#include "agent/store/crc32c.h"
#include "agent/store/log_format.h"

namespace pifleet::store::log {
namespace {

bool ValidType(uint8_t type) { return type >= 1 && type <= kMaxRecordType; }

uint32_t RecordCrc(uint8_t type, const char* data, size_t length) {
  return crc32c::Extend(crc32c::Value(&type, 1), data, length);
}

}  // namespace

Reader::Reader(SequentialFile* file, std::string file_name, size_t record_bytes_max)
    : file_(file), file_name_(std::move(file_name)), record_bytes_max_(record_bytes_max) {}

Reader::Physical Reader::Corrupt(uint64_t offset, const std::string& what) {
  status_ = Status::Corruption(file_name_ + " offset " + std::to_string(offset) + ": " + what);
  return Physical::kError;
}

bool Reader::ReadBlock() {
  block_file_offset_ += block_.size();
  pos_ = 0;
  status_ = file_->Read(kBlockBytes, &block_);
  if (!status_.ok()) {
    block_.clear();
    return false;
  }
  eof_ = block_.size() < kBlockBytes;
  return true;
}

bool Reader::ZeroFrom(size_t pos) const {
  for (size_t i = pos; i < block_.size(); ++i) {
    if (block_[i] != 0) return false;
  }
  return true;
}

bool Reader::IntactRecordAt(size_t pos) const {
  if (pos + kHeaderBytes > block_.size()) return false;
  const char* header = block_.data() + pos;
  const uint8_t type = static_cast<uint8_t>(header[6]);
  const size_t length = DecodeFixed16(header + 4);
  if (!ValidType(type) || pos + kHeaderBytes + length > block_.size()) return false;
  return crc32c::Unmask(DecodeFixed32(header)) == RecordCrc(type, header + kHeaderBytes, length);
}

Reader::Physical Reader::CheckTornTail(size_t pos) {
  const uint64_t offset = block_file_offset_ + pos;
  const char* header = block_.data() + pos;
  const uint8_t type = static_cast<uint8_t>(header[6]);
  const size_t length = DecodeFixed16(header + 4);
  if (pos + kHeaderBytes + length > kBlockBytes) {
    return Corrupt(offset, "record length " + std::to_string(length) + " overruns its block");
  }
  const size_t present = block_.size() - pos - kHeaderBytes;
  if (ValidType(type) &&
      crc32c::Unmask(DecodeFixed32(header)) == RecordCrc(type, header + kHeaderBytes, present)) {
    return Corrupt(offset, "record length field damaged (payload is complete)");
  }
  for (size_t i = pos + 1; i < block_.size(); ++i) {
    if (IntactRecordAt(i)) {
      return Corrupt(offset, "damaged record followed by an intact record at offset " +
                                 std::to_string(block_file_offset_ + i));
    }
  }
  return Physical::kEnd;
}

Reader::Physical Reader::ReadPhysical(uint8_t* type, std::string_view* fragment, uint64_t* offset) {
  while (true) {
    const size_t remaining = block_.size() - pos_;
    if (remaining < kHeaderBytes) {
      // A block trailer, or at the end of the file a torn header.
      if (eof_) return Physical::kEnd;
      if (!ReadBlock()) return Physical::kError;
      continue;
    }
    const char* header = block_.data() + pos_;
    *offset = block_file_offset_ + pos_;
    const uint32_t masked_crc = DecodeFixed32(header);
    const size_t length = DecodeFixed16(header + 4);
    *type = static_cast<uint8_t>(header[6]);
    if (eof_ && masked_crc == 0 && length == 0 && *type == 0) {
      // Zero-filled bytes where the last write should be: space the file system allocated but
      // never wrote (unsynced data). A zeroed header earlier in the log is corruption.
      return Physical::kEnd;
    }
    if (kHeaderBytes + length > remaining) {
      if (!eof_)
        return Corrupt(*offset, "record length " + std::to_string(length) + " overruns its block");
      return CheckTornTail(pos_);
    }
    if (!ValidType(*type)) return Corrupt(*offset, "unknown record type " + std::to_string(*type));
    if (crc32c::Unmask(masked_crc) != RecordCrc(*type, header + kHeaderBytes, length)) {
      return Corrupt(*offset, "checksum mismatch");
    }
    *fragment = std::string_view(header + kHeaderBytes, length);
    pos_ += kHeaderBytes + length;
    return Physical::kRecord;
  }
}

bool Reader::ReadRecord(std::string* record) {
  if (!status_.ok()) return false;
  record->clear();
  bool in_fragmented_record = false;
  uint64_t record_offset = 0;
  while (true) {
    uint8_t type = 0;
    std::string_view fragment;
    uint64_t offset = 0;
    // At the end an unfinished FIRST..MIDDLE run is part of the torn write.
    if (ReadPhysical(&type, &fragment, &offset) != Physical::kRecord) return false;
    const auto record_type = static_cast<RecordType>(type);
    if (record_type == RecordType::kFull || record_type == RecordType::kFirst) {
      if (in_fragmented_record) {
        Corrupt(record_offset, "record has no LAST fragment");
        return false;
      }
      record_offset = offset;
      record->assign(fragment);
      in_fragmented_record = record_type == RecordType::kFirst;
    } else {
      if (!in_fragmented_record) {
        Corrupt(offset, "fragment without a FIRST fragment");
        return false;
      }
      record->append(fragment);
    }
    if (record->size() > record_bytes_max_) {
      Corrupt(record_offset, "record longer than " + std::to_string(record_bytes_max_) + " bytes");
      return false;
    }
    if (record_type == RecordType::kFull || record_type == RecordType::kLast) {
      last_record_offset_ = record_offset;
      valid_bytes_ = block_file_offset_ + pos_;
      return true;
    }
  }
}

}  // namespace pifleet::store::log
