#include "agent/store/node_meta.h"

#include <gtest/gtest.h>

#include "agent/store/fault_env.h"
#include "tests/unit/store/store_test_util.h"

namespace pifleet::store {
namespace {

constexpr char kData[] = "/data";

TEST(NodeMeta, EncodesToThirtyTwoBytesAndBack) {
  const NodeMeta meta{0x0102030405060708ull, 0xfeedfacecafebeefull, 77};
  const std::string bytes = EncodeNodeMeta(meta);
  EXPECT_EQ(bytes.size(), 32u);
  EXPECT_EQ(bytes.substr(0, 4), "PFNM");
  NodeMeta back;
  ASSERT_TRUE(DecodeNodeMeta("node.meta", bytes, &back).ok());
  EXPECT_EQ(back, meta);
}

TEST(NodeMeta, EveryBitFlipIsDetected) {
  const std::string bytes = EncodeNodeMeta(NodeMeta{1, 2, 3});
  for (size_t i = 0; i < bytes.size() * 8; ++i) {
    std::string damaged = bytes;
    damaged[i / 8] = static_cast<char>(damaged[i / 8] ^ (1 << (i % 8)));
    NodeMeta back;
    const Status s = DecodeNodeMeta("/data/node.meta", damaged, &back);
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << i;
    EXPECT_NE(s.message().find("/data/node.meta"), std::string::npos);
  }
}

TEST(NodeMeta, MissingFileIsNotFound) {
  FaultEnv env(1);
  ASSERT_TRUE(env.CreateDir(kData).ok());
  NodeMeta meta;
  EXPECT_EQ(ReadNodeMeta(&env, kData, &meta).code(), Status::Code::kNotFound);
}

TEST(NodeMeta, BumpEpochIsDurableWhenItReturns) {
  FaultEnv env(1);
  ASSERT_TRUE(env.CreateDir(kData).ok());
  NodeMeta meta{5, 9, 0};
  ASSERT_TRUE(WriteNodeMeta(&env, kData, meta).ok());
  for (uint32_t epoch = 1; epoch <= 3; ++epoch) {
    ASSERT_TRUE(BumpEpoch(&env, kData, &meta).ok());
    EXPECT_EQ(meta.boot_epoch, epoch);
    env.Crash(FaultEnv::CrashMode::kTornTail);
    NodeMeta read;
    ASSERT_TRUE(ReadNodeMeta(&env, kData, &read).ok());
    EXPECT_EQ(read, meta);
  }
}

TEST(NodeMeta, ExhaustedEpochIsRefused) {
  FaultEnv env(1);
  ASSERT_TRUE(env.CreateDir(kData).ok());
  NodeMeta meta{5, 9, UINT32_MAX};
  EXPECT_EQ(BumpEpoch(&env, kData, &meta).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(meta.boot_epoch, UINT32_MAX);
}

// A crash at every step of the replacement leaves the old or the new file, never a damaged
// or missing one; and once BumpEpoch said Ok, only the new one.
TEST(NodeMeta, ReplacementIsAtomicUnderACrashAtEveryStep) {
  for (int crash_at = 0; crash_at < 8; ++crash_at) {
    FaultEnv disk(static_cast<uint64_t>(crash_at));
    ASSERT_TRUE(disk.CreateDir(kData).ok());
    NodeMeta meta{5, 9, 41};
    ASSERT_TRUE(WriteNodeMeta(&disk, kData, meta).ok());
    testing::CrashAtEnv env(&disk, crash_at);
    const Status bumped = BumpEpoch(&env, kData, &meta);
    if (!env.crashed()) disk.Crash(FaultEnv::CrashMode::kTornTail);
    NodeMeta read;
    ASSERT_TRUE(ReadNodeMeta(&disk, kData, &read).ok()) << "crash at step " << crash_at;
    if (bumped.ok()) {
      EXPECT_EQ(read.boot_epoch, 42u);
    } else {
      EXPECT_TRUE(read.boot_epoch == 41u || read.boot_epoch == 42u) << read.boot_epoch;
      EXPECT_EQ(meta.boot_epoch, 41u);  // unchanged on error
    }
    EXPECT_EQ(read.node_id, 5u);
  }
}

}  // namespace
}  // namespace pifleet::store
