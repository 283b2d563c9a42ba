// The one little-endian encoding (agent/base/bytes.h), the one hash (hash.h) and the one
// source of random bytes (random.h).
#include "agent/base/bytes.h"

#include <gtest/gtest.h>

#include "agent/base/hash.h"
#include "agent/base/random.h"

namespace pifleet {
namespace {

TEST(Bytes, FixedWidthIntegersAreLittleEndianAndRoundTrip) {
  ByteWriter w;
  w.U8(0x01);
  w.U16(0x0302);
  w.U32(0x07060504);
  w.U64(0x0f0e0d0c0b0a0908);
  EXPECT_EQ(w.out, std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", 15));
  ByteReader r{w.out};
  EXPECT_EQ(r.U8(), 0x01);
  EXPECT_EQ(r.U16(), 0x0302);
  EXPECT_EQ(r.U32(), 0x07060504u);
  EXPECT_EQ(r.U64(), 0x0f0e0d0c0b0a0908u);
  EXPECT_TRUE(r.Done());
  EXPECT_EQ(DecodeFixed64(w.out.data() + 7), 0x0f0e0d0c0b0a0908u);
  std::string raw;
  PutFixed32(&raw, 0xdeadbeef);
  EXPECT_EQ(DecodeFixed32(raw.data()), 0xdeadbeefu);
}

TEST(Bytes, StringsAreStoredWholeBehindAU64Length) {
  const std::string big(70000, 'z');  // longer than a u8 or u16 length could say
  ByteWriter w;
  w.Str("");
  w.Str(big);
  EXPECT_EQ(w.out.size(), 8 + 8 + big.size());
  ByteReader r{w.out};
  EXPECT_EQ(r.Str(), "");
  EXPECT_EQ(r.Str(), big);
  EXPECT_TRUE(r.Done());
}

TEST(Bytes, AShortReadFailsAndEveryLaterReadIsANoOp) {
  ByteWriter w;
  w.U64(5);
  for (size_t length = 0; length < w.out.size(); ++length) {
    ByteReader r{std::string_view(w.out).substr(0, length)};
    EXPECT_EQ(r.U64(), 0u);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.U8(), 0u) << "no read after a failure";
    EXPECT_FALSE(r.Done());
  }
  ByteReader trailing{std::string_view("\x01\x02", 2)};
  trailing.U8();
  EXPECT_TRUE(trailing.ok);
  EXPECT_FALSE(trailing.Done()) << "a byte left over";
}

TEST(Bytes, LengthsAndCountsBeyondTheInputOrTheBoundAreRefused) {
  ByteWriter w;
  w.Str("abcd");
  ByteReader at_bound{w.out};
  EXPECT_EQ(at_bound.Str(4), "abcd");
  EXPECT_TRUE(at_bound.Done());
  ByteReader over_bound{w.out};
  EXPECT_EQ(over_bound.Str(3), "");
  EXPECT_FALSE(over_bound.ok);
  ByteWriter claim;
  claim.U64(UINT64_MAX);  // a length no input holds
  claim.Raw("abc");
  ByteReader huge{claim.out};
  EXPECT_EQ(huge.Str(), "");
  EXPECT_FALSE(huge.ok);
  ByteReader count{claim.out};
  EXPECT_EQ(count.Count(1), 0u);
  EXPECT_FALSE(count.ok);
  ByteWriter fits;
  fits.U64(3);
  fits.Raw("abc");
  ByteReader three{fits.out};
  EXPECT_EQ(three.Count(1), 3u);
  ByteReader too_big_items{fits.out};
  EXPECT_EQ(too_big_items.Count(2), 0u) << "3 items of 2 bytes need 6";
  EXPECT_FALSE(too_big_items.ok);
}

TEST(Hash, Fnv1aMatchesThePublishedVectors) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325u);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cu);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8u);
  // Streaming equals one pass; AddU64 adds the 8 little-endian bytes.
  EXPECT_EQ(Fnv1a().Add("foo").Add("bar").value(), Fnv1a64("foobar"));
  EXPECT_EQ(Fnv1a().AddU64(0x0807060504030201).value(),
            Fnv1a64(std::string_view("\x01\x02\x03\x04\x05\x06\x07\x08", 8)));
}

TEST(Random, FillsEveryByteAndNeverGivesZeroIds) {
  std::string a(64, '\0'), b(64, '\0');
  ASSERT_TRUE(RandomBytes(a.data(), a.size()).ok());
  ASSERT_TRUE(RandomBytes(b.data(), b.size()).ok());
  EXPECT_NE(a, b);  // 2^-512 to fail by chance
  EXPECT_NE(a, std::string(64, '\0'));
  for (int i = 0; i < 1000; ++i) {
    EXPECT_NE(RandomU64(), 0u);
    EXPECT_NE(RandomU32(), 0u);
  }
}

}  // namespace
}  // namespace pifleet
