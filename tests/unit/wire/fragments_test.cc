#include "agent/wire/fragments.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace pifleet::wire {
namespace {

std::vector<uint8_t> Message(size_t bytes) {
  std::vector<uint8_t> message(bytes);
  std::iota(message.begin(), message.end(), 0);
  return message;
}

TEST(Fragments, SmallMessageIsOneWholePlaintext) {
  std::vector<std::vector<uint8_t>> plaintexts;
  ASSERT_TRUE(Fragment(Message(100), 1, 200, &plaintexts).ok());
  ASSERT_EQ(plaintexts.size(), 1u);
  Reassembler reassembler;
  std::vector<uint8_t> out;
  DropReason reason = DropReason::kNone;
  EXPECT_EQ(reassembler.Add(9, plaintexts[0], 0, &out, &reason), Reassembler::Result::kComplete);
  EXPECT_EQ(out, Message(100));
}

TEST(Fragments, ShuffledAndDuplicatedFragmentsReassemble) {
  const auto message = Message(10000);
  std::vector<std::vector<uint8_t>> plaintexts;
  ASSERT_TRUE(Fragment(message, 42, 1000, &plaintexts).ok());
  EXPECT_EQ(plaintexts.size(), 11u);
  for (const auto& p : plaintexts) EXPECT_LE(p.size(), 1000u);
  plaintexts.push_back(plaintexts[3]);  // duplicate
  std::mt19937 rng(7);
  std::shuffle(plaintexts.begin(), plaintexts.end(), rng);
  Reassembler reassembler;
  std::vector<uint8_t> out;
  DropReason reason = DropReason::kNone;
  int complete = 0;
  for (const auto& p : plaintexts) {
    if (reassembler.Add(9, p, 0, &out, &reason) == Reassembler::Result::kComplete) ++complete;
  }
  EXPECT_EQ(complete, 1);
  EXPECT_EQ(out, message);
  EXPECT_EQ(reassembler.partial_count(), 0u);
}

TEST(Fragments, TooLargeMessageIsRefused) {
  std::vector<std::vector<uint8_t>> plaintexts;
  const size_t chunk = 100 - kFragmentHeaderBytes;
  EXPECT_TRUE(Fragment(Message(chunk * kFragmentsPerMessageMax), 1, 100, &plaintexts).ok());
  EXPECT_FALSE(Fragment(Message(chunk * kFragmentsPerMessageMax + 1), 1, 100, &plaintexts).ok());
}

// A 64 KiB value travels (issue 13): the largest message fits, one byte more is refused by the
// sender, and a receiver never holds more than kMessageBytesMax for one message.
TEST(Fragments, MessagesUpToTheByteBoundRoundTrip) {
  std::vector<std::vector<uint8_t>> plaintexts;
  const size_t plaintext_max = kDatagramBytesDefault - kSealOverheadBytes;
  const auto message = Message(kMessageBytesMax);
  ASSERT_TRUE(Fragment(message, 5, plaintext_max, &plaintexts).ok());
  Reassembler reassembler;
  std::vector<uint8_t> out;
  DropReason reason = DropReason::kNone;
  Reassembler::Result result = Reassembler::Result::kPending;
  for (const auto& p : plaintexts) result = reassembler.Add(3, p, 0, &out, &reason);
  EXPECT_EQ(result, Reassembler::Result::kComplete);
  EXPECT_EQ(out, message);
  EXPECT_FALSE(Fragment(Message(kMessageBytesMax + 1), 6, plaintext_max, &plaintexts).ok());
  // A sender that claims few fragments but sends big ones is cut off at the byte bound.
  const size_t big_chunk = kDatagramBytesMax - kSealOverheadBytes - kFragmentHeaderBytes;
  const uint16_t count = kMessageBytesMax / big_chunk + 2;
  result = Reassembler::Result::kPending;
  for (uint16_t i = 0; i < count && result == Reassembler::Result::kPending; ++i) {
    std::vector<uint8_t> p = {1,
                              9,
                              0,
                              0,
                              0,
                              static_cast<uint8_t>(i),
                              static_cast<uint8_t>(i >> 8),
                              static_cast<uint8_t>(count),
                              static_cast<uint8_t>(count >> 8)};
    p.resize(p.size() + big_chunk, 0xab);
    result = reassembler.Add(4, p, 0, &out, &reason);
  }
  EXPECT_EQ(result, Reassembler::Result::kDropped);
  EXPECT_EQ(reason, DropReason::kBadFragment);
  EXPECT_EQ(reassembler.partial_count(), 0u);
}

TEST(Fragments, BadFragmentHeadersAreDropped) {
  Reassembler reassembler;
  std::vector<uint8_t> out;
  DropReason reason = DropReason::kNone;
  const std::vector<std::vector<uint8_t>> bad = {
      {},                                      // empty
      {7, 1, 2},                               // unknown kind
      {1, 0, 0, 0, 0, 0, 0, 2, 0},             // no chunk bytes
      {1, 0, 0, 0, 0, 2, 0, 2, 0, 0xaa},       // index >= count
      {1, 0, 0, 0, 0, 0, 0, 1, 0, 0xaa},       // count 1 is never fragmented
      {1, 0, 0, 0, 0, 0, 0, 0xff, 0x07, 0xaa}  // count above the bound
  };
  for (const auto& plaintext : bad) {
    reason = DropReason::kNone;
    EXPECT_EQ(reassembler.Add(1, plaintext, 0, &out, &reason), Reassembler::Result::kDropped);
    EXPECT_EQ(reason, DropReason::kBadFragment);
  }
  // A fragment whose count disagrees with the first one seen for the same message.
  ASSERT_EQ(
      reassembler.Add(1, std::vector<uint8_t>{1, 5, 0, 0, 0, 0, 0, 3, 0, 0xaa}, 0, &out, &reason),
      Reassembler::Result::kPending);
  EXPECT_EQ(
      reassembler.Add(1, std::vector<uint8_t>{1, 5, 0, 0, 0, 1, 0, 4, 0, 0xbb}, 0, &out, &reason),
      Reassembler::Result::kDropped);
}

TEST(Fragments, MemoryIsBoundedByCountAndTime) {
  Reassembler reassembler;
  std::vector<uint8_t> out;
  DropReason reason = DropReason::kNone;
  // First fragments of many messages, never completed.
  for (uint32_t id = 0; id < 10 * kReassembliesMax; ++id) {
    std::vector<uint8_t> first = {1, 0, 0, 0, 0, 0, 0, 2, 0, 0xaa};
    first[1] = static_cast<uint8_t>(id);
    first[2] = static_cast<uint8_t>(id >> 8);
    reassembler.Add(3, first, id, &out, &reason);
    ASSERT_LE(reassembler.partial_count(), kReassembliesMax);
  }
  EXPECT_EQ(reassembler.evicted_count(), 9 * kReassembliesMax);
  EXPECT_EQ(reassembler.Expire(10 * kReassembliesMax + kReassemblyTimeoutTicks), kReassembliesMax);
  EXPECT_EQ(reassembler.partial_count(), 0u);
}

}  // namespace
}  // namespace pifleet::wire
