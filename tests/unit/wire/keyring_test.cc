#include "agent/wire/keyring.h"

#include <gtest/gtest.h>

#include "tests/unit/wire/test_keys.h"

namespace pifleet::wire {
namespace {

TEST(KeyText, RoundTripsAndRejectsBadText) {
  const KeyBytes key = TestKey(9);
  const std::string text = FormatKey(key);
  EXPECT_EQ(text.size(), 44u);  // base64 of 32 bytes
  KeyBytes parsed{};
  ASSERT_TRUE(ParseKey("  " + text + "\n", &parsed).ok());
  EXPECT_EQ(parsed, key);

  EXPECT_NE(ParseKey("", &parsed).message().find("pifleet keygen"), std::string::npos);
  EXPECT_NE(ParseKey("not base64!", &parsed).message().find("base64"), std::string::npos);
  EXPECT_NE(ParseKey("AAAA", &parsed).message().find("got 3"), std::string::npos);
}

TEST(Keyring, FirstKeyIsPrimaryAndRotationKeepsOldKeyUntilRemoved) {
  const auto [a, b] = TwoTestKeys();
  Keyring ring;
  ASSERT_TRUE(ring.Install(a).ok());
  EXPECT_EQ(ring.primary_id(), KeyId(a));
  ASSERT_TRUE(ring.Install(b).ok());
  EXPECT_EQ(ring.primary_id(), KeyId(a));  // installing does not switch
  ASSERT_TRUE(ring.Use(KeyId(b)).ok());
  EXPECT_EQ(ring.primary_id(), KeyId(b));
  EXPECT_NE(ring.Find(KeyId(a)), nullptr);
  ASSERT_TRUE(ring.Remove(KeyId(a)).ok());
  EXPECT_EQ(ring.Find(KeyId(a)), nullptr);
  EXPECT_EQ(ring.ids(), std::vector<uint8_t>{KeyId(b)});
}

TEST(Keyring, RefusesUnsafeChanges) {
  const auto [a, b] = TwoTestKeys();
  Keyring ring;
  ASSERT_TRUE(ring.Install(a).ok());
  EXPECT_FALSE(ring.Remove(KeyId(a)).ok());  // the primary
  EXPECT_EQ(ring.Remove(KeyId(b)).code(), Status::Code::kNotFound);
  EXPECT_EQ(ring.Use(KeyId(b)).code(), Status::Code::kNotFound);
  EXPECT_TRUE(ring.Install(a).ok());  // same key twice is harmless
  EXPECT_EQ(ring.ids().size(), 1u);
}

TEST(Keyring, RefusesAnIdCollisionAndABeyondCapacityInstall) {
  Keyring ring;
  const KeyBytes first = TestKey(1);
  ASSERT_TRUE(ring.Install(first).ok());
  // Find another key with the same id: about one in 256 candidates.
  for (uint8_t fill = 2; fill != 0; ++fill) {
    KeyBytes other = TestKey(fill);
    other[31] ^= 0x5a;
    if (KeyId(other) == KeyId(first)) {
      EXPECT_NE(ring.Install(other).message().find("taken"), std::string::npos);
      break;
    }
  }
  size_t installed = 1;
  for (uint8_t fill = 100; installed < kKeyringKeysMax; ++fill) {
    if (ring.Install(TestKey(fill)).ok()) installed = ring.ids().size();
  }
  Status full = Status::Ok();
  for (uint8_t fill = 200; full.ok(); ++fill) {
    KeyBytes key = TestKey(fill);
    if (ring.Find(KeyId(key)) == nullptr) full = ring.Install(key);
  }
  EXPECT_NE(full.message().find("full"), std::string::npos);
}

TEST(KeyIdText, TwoHexDigits) {
  EXPECT_EQ(KeyIdText(0x0a), "0a");
  uint8_t id = 0;
  ASSERT_TRUE(ParseKeyIdText("3F", &id));
  EXPECT_EQ(id, 0x3f);
  EXPECT_FALSE(ParseKeyIdText("3", &id));
  EXPECT_FALSE(ParseKeyIdText("3g", &id));
  EXPECT_FALSE(ParseKeyIdText("03f", &id));
}

}  // namespace
}  // namespace pifleet::wire
