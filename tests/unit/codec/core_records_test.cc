// The versioned bodies of the core's WAL records (agent/codec/core_records.h): round trips,
// another version refused with both versions named, every truncation refused.
#include "agent/codec/core_records.h"

#include <gtest/gtest.h>

namespace pifleet::codec {
namespace {

core::PValue SamplePValue() {
  core::Command app;
  app.client_id = 77;
  app.sequence = 5;
  app.payload = std::string("\x01\x00payload", 9);
  core::Command reconfig;
  reconfig.kind = core::CommandKind::kReconfig;
  reconfig.replaces = 5;
  reconfig.config.voters = {1, 2, 3};
  reconfig.config.learners = {9};
  return core::PValue{{9, 2}, 77, core::Value{{app, reconfig}}};
}

bool Names(const Status& status, const std::string& text) {
  return status.message().find(text) != std::string::npos;
}

TEST(CoreRecords, EveryBodyRoundTrips) {
  core::Ballot ballot;
  ASSERT_TRUE(DecodeBallotRecord(EncodeBallotRecord({5, 1}), &ballot).ok());
  EXPECT_EQ(ballot, (core::Ballot{5, 1}));
  core::PValue pvalue;
  ASSERT_TRUE(DecodePValueRecord(EncodePValueRecord(SamplePValue()), &pvalue).ok());
  EXPECT_EQ(pvalue, SamplePValue());
  const core::PValue decision{{}, 12, core::Value{}};  // a decision: no ballot, no commands
  ASSERT_TRUE(DecodePValueRecord(EncodePValueRecord(decision), &pvalue).ok());
  EXPECT_EQ(pvalue, decision);
  uint64_t hash = 0;
  ASSERT_TRUE(
      DecodeSnapshotMarkerRecord(EncodeSnapshotMarkerRecord(0xfedcba9876543210), &hash).ok());
  EXPECT_EQ(hash, 0xfedcba9876543210u);
}

TEST(CoreRecords, EveryBodyStartsWithTheFormatVersion) {
  for (const std::string& body : {EncodeBallotRecord({5, 1}), EncodePValueRecord(SamplePValue()),
                                  EncodeSnapshotMarkerRecord(3)}) {
    ASSERT_FALSE(body.empty());
    EXPECT_EQ(static_cast<uint8_t>(body[0]), kCoreRecordVersion);
  }
}

TEST(CoreRecords, AnotherVersionIsRefusedNamingBothVersions) {
  const std::string current = "version " + std::to_string(kCoreRecordVersion);
  // Version 1: the same msgpack with no version byte; markers were 8 bare bytes.
  core::Ballot ballot;
  Status s = DecodeBallotRecord(std::string("\x92\x05\x01", 3), &ballot);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_TRUE(Names(s, "format version 1;")) << s.message();
  EXPECT_TRUE(Names(s, "reads " + current)) << s.message();
  core::PValue pvalue;
  const std::string v1_pvalue = EncodePValueRecord(SamplePValue()).substr(1);
  s = DecodePValueRecord(v1_pvalue, &pvalue);
  EXPECT_TRUE(Names(s, "format version 1;")) << s.message();
  uint64_t hash = 0;
  s = DecodeSnapshotMarkerRecord(std::string(8, '\x07'), &hash);
  EXPECT_TRUE(Names(s, "format version 1;")) << s.message();
  // A later version this build does not know.
  std::string v3 = EncodePValueRecord(SamplePValue());
  v3[0] = static_cast<char>(kCoreRecordVersion + 1);
  s = DecodePValueRecord(v3, &pvalue);
  EXPECT_TRUE(Names(s, "format version " + std::to_string(kCoreRecordVersion + 1) + ";"))
      << s.message();
  EXPECT_TRUE(Names(s, "reads " + current)) << s.message();
}

TEST(CoreRecords, EveryTruncationAndTrailingByteIsRefused) {
  const std::string pvalue_body = EncodePValueRecord(SamplePValue());
  core::PValue pvalue;
  for (size_t length = 0; length < pvalue_body.size(); ++length) {
    EXPECT_FALSE(DecodePValueRecord(pvalue_body.substr(0, length), &pvalue).ok()) << length;
  }
  EXPECT_FALSE(DecodePValueRecord(pvalue_body + "x", &pvalue).ok());
  const std::string ballot_body = EncodeBallotRecord({5, 1});
  core::Ballot ballot;
  for (size_t length = 0; length < ballot_body.size(); ++length) {
    EXPECT_FALSE(DecodeBallotRecord(ballot_body.substr(0, length), &ballot).ok()) << length;
  }
  const std::string marker_body = EncodeSnapshotMarkerRecord(3);
  uint64_t hash = 0;
  for (size_t length = 0; length < marker_body.size(); ++length) {
    // 8 bytes alone read as a version 1 marker: refused too, as another version.
    EXPECT_FALSE(DecodeSnapshotMarkerRecord(marker_body.substr(0, length), &hash).ok()) << length;
  }
  EXPECT_FALSE(DecodeSnapshotMarkerRecord(marker_body + "x", &hash).ok());
}

TEST(CoreRecords, WrongShapesAreUndecodableNotCrashes) {
  core::Ballot ballot;
  // The version byte, then a pvalue where a ballot belongs, then a bare integer.
  const std::string pvalue_as_ballot = EncodePValueRecord(SamplePValue());
  Status s = DecodeBallotRecord(pvalue_as_ballot, &ballot);
  EXPECT_TRUE(Names(s, "undecodable")) << s.message();
  EXPECT_FALSE(DecodeBallotRecord(std::string("\x02\x05", 2), &ballot).ok());
  // A command of an unknown kind.
  core::PValue pvalue;
  std::string body = EncodePValueRecord(SamplePValue());
  const size_t kind_at = body.find(std::string("\x97\x4d\x05\x01", 4));
  ASSERT_NE(kind_at, std::string::npos);
  body[kind_at + 3] = '\x07';
  EXPECT_FALSE(DecodePValueRecord(body, &pvalue).ok());
}

}  // namespace
}  // namespace pifleet::codec
