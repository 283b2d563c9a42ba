#include "agent/wire/header.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace pifleet::wire {
namespace {

TEST(Header, RoundTripsEveryField) {
  Header header;
  header.key_id = 0xab;
  header.cluster_id = 0x0102030405060708;
  header.sender = 0xfffefdfcfbfaf9f8;
  header.epoch = 0x11223344;
  header.counter = 0x8877665544332211;
  std::array<uint8_t, kHeaderBytes> bytes;
  EncodeHeader(header, bytes);
  EXPECT_EQ(bytes[0], 'P');
  EXPECT_EQ(bytes[1], 'F');
  EXPECT_EQ(bytes[2], kWireVersion);
  EXPECT_EQ(bytes[4], 0x08);  // little-endian cluster id
  Header decoded;
  ASSERT_EQ(DecodeHeader(bytes, &decoded), DropReason::kNone);
  EXPECT_EQ(decoded.key_id, header.key_id);
  EXPECT_EQ(decoded.cluster_id, header.cluster_id);
  EXPECT_EQ(decoded.sender, header.sender);
  EXPECT_EQ(decoded.epoch, header.epoch);
  EXPECT_EQ(decoded.counter, header.counter);
}

TEST(Header, RejectsShortForeignAndFutureDatagrams) {
  std::array<uint8_t, kHeaderBytes> bytes;
  EncodeHeader(Header{}, bytes);
  Header decoded;
  for (size_t length = 0; length < kHeaderBytes; ++length) {
    EXPECT_EQ(DecodeHeader(std::span(bytes).first(length), &decoded), DropReason::kTruncated);
  }
  auto foreign = bytes;
  foreign[1] = 'X';
  EXPECT_EQ(DecodeHeader(foreign, &decoded), DropReason::kBadMagic);
  auto future = bytes;
  future[2] = kWireVersion + 1;
  EXPECT_EQ(DecodeHeader(future, &decoded), DropReason::kBadVersion);
}

TEST(DropReason, EveryReasonHasAUniqueName) {
  std::set<std::string> names;
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    names.insert(DropReasonName(static_cast<DropReason>(i)));
  }
  EXPECT_EQ(names.size(), kDropReasonCount);
  EXPECT_EQ(names.count("unknown"), 0u);
}

}  // namespace
}  // namespace pifleet::wire
