// The log format alone: round trips across block boundaries, a torn write at every byte, a bit
// flip in every physical record (after leveldb's log_test, rewritten for our reader's rules).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "agent/base/bytes.h"
#include "agent/store/log_format.h"
#include "agent/store/log_reader.h"
#include "agent/store/log_writer.h"
#include "tests/unit/store/store_test_util.h"

namespace pifleet::store::log {
namespace {

using store::testing::PayloadFor;

class StringFile final : public SequentialFile {
 public:
  explicit StringFile(std::string data) : data_(std::move(data)) {}
  Status Read(size_t n, std::string* out) override {
    out->assign(data_, std::min(pos_, data_.size()), n);
    pos_ += out->size();
    return Status::Ok();
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

struct Encoded {
  std::string bytes;
  std::vector<std::string> records;
  std::vector<uint64_t> ends;  // file offset just past each record
};

Encoded Encode(const std::vector<size_t>& sizes) {
  Encoded encoded;
  Writer writer;
  for (size_t i = 0; i < sizes.size(); ++i) {
    encoded.records.push_back(PayloadFor(i, sizes[i]));
    writer.AddRecord(encoded.records.back(), &encoded.bytes);
    encoded.ends.push_back(writer.file_bytes());
  }
  EXPECT_EQ(writer.file_bytes(), encoded.bytes.size());
  return encoded;
}

struct ReadBack {
  std::vector<std::string> records;
  Status status;
  uint64_t valid_bytes = 0;
  bool torn = false;
};

ReadBack ReadAll(const std::string& bytes) {
  StringFile file(bytes);
  Reader reader(&file, "test.log", 1 << 20);
  ReadBack back;
  std::string record;
  while (reader.ReadRecord(&record)) back.records.push_back(record);
  back.status = reader.status();
  back.valid_bytes = reader.valid_bytes();
  back.torn = reader.torn_tail();
  return back;
}

// The physical records of a log: (offset, length) of each header + payload.
std::vector<std::pair<uint64_t, size_t>> PhysicalRecords(const std::string& bytes) {
  std::vector<std::pair<uint64_t, size_t>> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t block_left = kBlockBytes - pos % kBlockBytes;
    if (block_left < kHeaderBytes) {
      pos += block_left;
      continue;
    }
    const size_t length = DecodeFixed16(bytes.data() + pos + 4);
    out.emplace_back(pos, kHeaderBytes + length);
    pos += kHeaderBytes + length;
  }
  return out;
}

const std::vector<size_t> kMixedSizes = {0,   1,
                                         100, kBlockBytes - kHeaderBytes,
                                         5,   kBlockBytes - 2 * kHeaderBytes - 3,
                                         2,   3 * kBlockBytes + 17,
                                         999, 0,
                                         7};

TEST(LogFormat, RoundTripsRecordsOfEverySizeAcrossBlocks) {
  const Encoded encoded = Encode(kMixedSizes);
  const ReadBack back = ReadAll(encoded.bytes);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.records, encoded.records);
  EXPECT_FALSE(back.torn);
  EXPECT_EQ(back.valid_bytes, encoded.bytes.size());
}

TEST(LogFormat, ShortBlockRemainderBecomesZeroTrailer) {
  // Leaves 4 bytes in the first block: too few for a header, so they are padding.
  const Encoded encoded = Encode({kBlockBytes - kHeaderBytes - 4, 10});
  EXPECT_EQ(encoded.bytes.substr(kBlockBytes - 4, 4), std::string(4, '\0'));
  EXPECT_EQ(encoded.ends[1], kBlockBytes + kHeaderBytes + 10);
  EXPECT_EQ(ReadAll(encoded.bytes).records, encoded.records);
}

TEST(LogFormat, WriterResumesMidBlockLikeOneLongWrite) {
  const Encoded whole = Encode({300, kBlockBytes, 40});
  Writer first;
  std::string bytes;
  first.AddRecord(whole.records[0], &bytes);
  Writer resumed(bytes.size());
  resumed.AddRecord(whole.records[1], &bytes);
  resumed.AddRecord(whole.records[2], &bytes);
  EXPECT_EQ(bytes, whole.bytes);
}

// A log cut at `cut` bytes reads back as exactly the records that fit, and a clean end.
void ExpectCutIsCleanPrefix(const Encoded& encoded, uint64_t cut) {
  const ReadBack back = ReadAll(encoded.bytes.substr(0, cut));
  ASSERT_TRUE(back.status.ok()) << "cut " << cut << ": " << back.status.ToString();
  const size_t complete =
      std::upper_bound(encoded.ends.begin(), encoded.ends.end(), cut) - encoded.ends.begin();
  ASSERT_EQ(back.records.size(), complete) << "cut " << cut;
  for (size_t i = 0; i < complete; ++i) ASSERT_EQ(back.records[i], encoded.records[i]);
  const uint64_t expected_valid = complete == 0 ? 0 : encoded.ends[complete - 1];
  ASSERT_EQ(back.valid_bytes, expected_valid) << "cut " << cut;
  ASSERT_EQ(back.torn, cut > expected_valid) << "cut " << cut;
}

TEST(LogFormat, TornAtEveryByteOfAFinalRecordCrossingABlock) {
  // Small records up to near the end of block 0, then one that spans into block 1.
  std::vector<size_t> sizes(40, 800);
  sizes.push_back(600);
  const Encoded encoded = Encode(sizes);
  ASSERT_GT(encoded.bytes.size(), kBlockBytes);
  for (uint64_t cut = encoded.ends[encoded.ends.size() - 2]; cut <= encoded.bytes.size(); ++cut) {
    ExpectCutIsCleanPrefix(encoded, cut);
  }
}

TEST(LogFormat, TornAtEveryRecordBoundaryAndSampledBytesOfLargeRecords) {
  const Encoded encoded = Encode(kMixedSizes);
  for (uint64_t end : encoded.ends) {
    const uint64_t last = std::min<uint64_t>(end + 8, encoded.bytes.size());
    for (uint64_t cut = end > 8 ? end - 8 : 0; cut <= last; ++cut) {
      ExpectCutIsCleanPrefix(encoded, cut);
    }
  }
  for (uint64_t cut = 0; cut <= encoded.bytes.size(); cut += 97) {
    ExpectCutIsCleanPrefix(encoded, cut);
  }
}

TEST(LogFormat, BitFlipInEveryPhysicalRecordIsCorruptionAtThatRecord) {
  const Encoded encoded = Encode(kMixedSizes);
  const auto physical = PhysicalRecords(encoded.bytes);
  ASSERT_GT(physical.size(), encoded.records.size());  // some records are fragmented
  int flips = 0;
  for (const auto& [offset, length] : physical) {
    std::vector<size_t> positions;
    for (size_t i = 0; i < kHeaderBytes; ++i) positions.push_back(i);
    if (length > kHeaderBytes) {
      positions.push_back(kHeaderBytes);
      positions.push_back(kHeaderBytes + (length - kHeaderBytes) / 2);
      positions.push_back(length - 1);
    }
    for (size_t position : positions) {
      for (int bit : {0, 3, 7}) {
        std::string damaged = encoded.bytes;
        damaged[offset + position] = static_cast<char>(damaged[offset + position] ^ (1 << bit));
        const ReadBack back = ReadAll(damaged);
        ++flips;
        ASSERT_EQ(back.status.code(), Status::Code::kCorruption)
            << "flip at " << offset + position << " bit " << bit << " was not detected";
        EXPECT_NE(back.status.message().find("test.log offset "), std::string::npos);
        ASSERT_LT(back.records.size(), encoded.records.size());
        for (size_t i = 0; i < back.records.size(); ++i)
          ASSERT_EQ(back.records[i], encoded.records[i]);
      }
    }
  }
  EXPECT_GT(flips, 100);
}

TEST(LogFormat, LengthDamageOfTheLastRecordIsNotMistakenForATornWrite) {
  const Encoded encoded = Encode({50, 60});
  std::string damaged = encoded.bytes;
  const size_t last = encoded.ends[0];
  damaged[last + 4] = static_cast<char>(damaged[last + 4] + 10);  // length 60 -> 70
  const ReadBack back = ReadAll(damaged);
  ASSERT_EQ(back.status.code(), Status::Code::kCorruption);
  EXPECT_NE(back.status.message().find("offset " + std::to_string(last)), std::string::npos)
      << back.status.message();
}

TEST(LogFormat, ZeroFilledTailIsACleanEnd) {
  const Encoded encoded = Encode({50, 60});
  const ReadBack back = ReadAll(encoded.bytes + std::string(100, '\0'));
  ASSERT_TRUE(back.status.ok());
  EXPECT_EQ(back.records, encoded.records);
  EXPECT_TRUE(back.torn);
  EXPECT_EQ(back.valid_bytes, encoded.bytes.size());
}

TEST(LogFormat, DamageBeforeTheLastBlockNamesFileAndOffset) {
  const Encoded encoded = Encode({100, 2 * kBlockBytes, 100});
  std::string damaged = encoded.bytes;
  damaged[encoded.ends[0] + kHeaderBytes + 10] ^= 1;
  const ReadBack back = ReadAll(damaged);
  EXPECT_EQ(back.status.ToString(), "Corruption: test.log offset " +
                                        std::to_string(encoded.ends[0]) + ": checksum mismatch");
  EXPECT_EQ(back.records.size(), 1u);
}

}  // namespace
}  // namespace pifleet::store::log
