#include "agent/wire/keyring_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "agent/store/posix_env.h"
#include "tests/unit/wire/test_keys.h"

namespace pifleet::wire {
namespace {

class KeyringFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/pifleet-keyring.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/" + kKeyringFileName;
  }
  void TearDown() override {
    std::remove(path_.c_str());
    std::remove((path_ + ".tmp").c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_;
  std::string path_;
};

TEST_F(KeyringFileTest, SavedKeyringLoadsBackWithItsPrimaryAndSlotAndMode0600) {
  const auto [a, b] = TwoTestKeys();
  Keyring ring;
  ASSERT_TRUE(ring.Install(a).ok());
  ASSERT_TRUE(ring.Install(b).ok());
  ASSERT_TRUE(ring.Use(KeyId(b)).ok());
  ASSERT_TRUE(SaveKeyringFile(store::PosixEnv(), dir_, ring, 42).ok());

  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Keyring loaded;
  uint64_t slot = 0;
  ASSERT_TRUE(LoadKeyringFile(store::PosixEnv(), dir_, &loaded, &slot).ok());
  EXPECT_EQ(slot, 42u);
  EXPECT_EQ(loaded.primary_id(), KeyId(b));
  ASSERT_NE(loaded.Find(KeyId(a)), nullptr);
  EXPECT_EQ(*loaded.Find(KeyId(a)), a);
  EXPECT_EQ(*loaded.Find(KeyId(b)), b);
}

TEST_F(KeyringFileTest, ReplacingTheFileKeepsOnlyTheLatestStateAndNoTempFile) {
  const auto [a, b] = TwoTestKeys();
  Keyring ring;
  ASSERT_TRUE(ring.Install(a).ok());
  ASSERT_TRUE(ring.Install(b).ok());
  ASSERT_TRUE(SaveKeyringFile(store::PosixEnv(), dir_, ring, 5).ok());
  ASSERT_TRUE(ring.Use(KeyId(b)).ok());
  ASSERT_TRUE(ring.Remove(KeyId(a)).ok());
  ASSERT_TRUE(SaveKeyringFile(store::PosixEnv(), dir_, ring, 9).ok());

  Keyring loaded;
  uint64_t slot = 0;
  ASSERT_TRUE(LoadKeyringFile(store::PosixEnv(), dir_, &loaded, &slot).ok());
  EXPECT_EQ(slot, 9u);
  EXPECT_EQ(loaded.ids(), std::vector<uint8_t>{KeyId(b)});
  EXPECT_NE(access((path_ + ".tmp").c_str(), F_OK), 0);
}

TEST_F(KeyringFileTest, MissingFileIsNotFound) {
  Keyring loaded;
  uint64_t slot = 0;
  EXPECT_EQ(LoadKeyringFile(store::PosixEnv(), dir_, &loaded, &slot).code(),
            Status::Code::kNotFound);
}

TEST(KeyringFileText, BrokenFilesAreRefusedWithTheLine) {
  const auto [a, b] = TwoTestKeys();
  Keyring ring;
  uint64_t slot = 0;
  const std::string good_a = "primary " + FormatKey(a) + "\n";
  EXPECT_TRUE(DecodeKeyringFile("applied_slot 3\n" + good_a, "k", &ring, &slot).ok());
  EXPECT_EQ(slot, 3u);

  const auto error = [&](const std::string& text) {
    Keyring out;
    uint64_t out_slot = 0;
    Status status = DecodeKeyringFile(text, "k", &out, &out_slot);
    EXPECT_EQ(status.code(), Status::Code::kCorruption) << text;
    return status.message();
  };
  EXPECT_NE(error(good_a).find("applied_slot"), std::string::npos);
  EXPECT_NE(error("applied_slot 1\nkey " + FormatKey(a) + "\n").find("no primary"),
            std::string::npos);
  EXPECT_NE(error("applied_slot 1\n" + good_a + "primary " + FormatKey(b) + "\n").find("k:3"),
            std::string::npos);
  EXPECT_NE(error("applied_slot x\n" + good_a).find("k:1: bad slot"), std::string::npos);
  EXPECT_NE(error("applied_slot 1\nprimary AAAA\n").find("k:2"), std::string::npos);
  EXPECT_NE(error("applied_slot 1\nsecret " + FormatKey(a) + "\n").find("unknown word"),
            std::string::npos);
}

TEST(KeyringFileText, EncodeDecodeRoundTrip) {
  const auto [a, b] = TwoTestKeys();
  Keyring ring;
  ASSERT_TRUE(ring.Install(a).ok());
  ASSERT_TRUE(ring.Install(b).ok());
  const std::string text = EncodeKeyringFile(ring, 7);
  Keyring decoded;
  uint64_t slot = 0;
  ASSERT_TRUE(DecodeKeyringFile(text, "k", &decoded, &slot).ok());
  EXPECT_EQ(EncodeKeyringFile(decoded, slot), text);
  EXPECT_EQ(decoded.primary_id(), KeyId(a));
}

}  // namespace
}  // namespace pifleet::wire
