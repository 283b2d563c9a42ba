#include "agent/store/disk_space.h"

#include <gtest/gtest.h>

#include "agent/store/fault_env.h"

namespace pifleet::store {
namespace {

TEST(DiskFullState, ReportsEachEpisodeOnceAndPacesRetries) {
  DiskFullState state(100);
  EXPECT_FALSE(state.Observe(Status::Ok(), 0));
  EXPECT_TRUE(state.Observe(Status::NoSpace("/data/wal/1.wal: No space left on device"), 10));
  EXPECT_TRUE(state.disk_full());
  EXPECT_EQ(state.message(), "/data/wal/1.wal: No space left on device");
  EXPECT_FALSE(state.RetryDue(50));
  EXPECT_TRUE(state.RetryDue(110));
  EXPECT_FALSE(state.Observe(Status::NoSpace("again"), 110));  // same episode
  EXPECT_FALSE(state.RetryDue(150));
  EXPECT_TRUE(state.Observe(Status::Ok(), 210));
  EXPECT_FALSE(state.disk_full());
  EXPECT_FALSE(state.RetryDue(10000));
  EXPECT_EQ(state.full_events(), 1u);
  EXPECT_TRUE(state.Observe(Status::NoSpace("x"), 300));
  EXPECT_EQ(state.full_events(), 2u);
}

TEST(DiskFullState, OtherErrorsAreNotDiskFull) {
  DiskFullState state(1);
  EXPECT_FALSE(state.Observe(Status::IOError("EIO"), 0));
  EXPECT_FALSE(state.disk_full());
}

TEST(CheckFreeSpace, NamesTheDirectoryWhenBelowTheReserve) {
  FaultEnv env(1);
  ASSERT_TRUE(env.CreateDir("/data").ok());
  env.SetSpaceLimitBytes(1000);
  EXPECT_TRUE(CheckFreeSpace(&env, "/data", 1000).ok());
  const Status s = CheckFreeSpace(&env, "/data", 1001);
  EXPECT_EQ(s.code(), Status::Code::kNoSpace);
  EXPECT_EQ(s.message(), "/data: 1000 bytes free, 1001 needed");
}

}  // namespace
}  // namespace pifleet::store
