// ReadFile through an OpenFileCache: the agent's Prober keeps its files open between readings
// and reads each from the start again.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "hal/constants.h"
#include "hal/sysfs_file.h"
#include "tests/unit/hal/fixture.h"

namespace pifleet::hal {
namespace {

using testing::FixtureCopy;

TEST(OpenFileCacheTest, KeepsAFileOpenAndReadsItsNewTextFromTheStart) {
  FixtureCopy copy("pi4b-throttled");
  const std::string temp = copy.Path("sys/class/thermal/thermal_zone0/temp");
  OpenFileCache cache;
  const ScopedFileCache scoped(&cache);
  EXPECT_EQ(ReadInt(temp), 83100);
  testing::WriteText(temp, "85000\n");  // rewritten in place, as sysfs does
  EXPECT_EQ(ReadInt(temp), 85000);
  testing::WriteText(temp, "7\n");  // shorter than before: nothing of the old text is left
  EXPECT_EQ(ReadLine(temp), "7");
  EXPECT_EQ(cache.open_files(), 1u);
}

TEST(OpenFileCacheTest, ReadsOnlyThroughTheCacheWhileItIsInstalled) {
  FixtureCopy copy("pi4b-throttled");
  const std::string temp = copy.Path("sys/class/thermal/thermal_zone0/temp");
  OpenFileCache cache;
  {
    const ScopedFileCache scoped(&cache);
    ASSERT_TRUE(ReadFile(temp));
  }
  EXPECT_TRUE(ReadFile(copy.Path("proc/stat")));
  EXPECT_EQ(cache.open_files(), 1u);
  cache.Clear();
  EXPECT_EQ(cache.open_files(), 0u);
}

TEST(OpenFileCacheTest, AFileThatFailsToReadIsClosedAndAMissingOneNotHeld) {
  FixtureCopy copy("pi4b-throttled");
  OpenFileCache cache;
  const ScopedFileCache scoped(&cache);
  EXPECT_FALSE(ReadFile(copy.Path("sys/class/thermal")));  // opens, but read fails: EISDIR
  EXPECT_FALSE(ReadFile(copy.Path("no/such/file")));
  EXPECT_EQ(cache.open_files(), 0u);
}

TEST(OpenFileCacheTest, HoldsAtMostItsBoundAndStillReadsPastIt) {
  FixtureCopy copy("pi4b-throttled");
  OpenFileCache cache;
  const ScopedFileCache scoped(&cache);
  for (size_t i = 0; i < kOpenProbeFilesMax + 3; ++i) {
    const std::string path = copy.Path("file" + std::to_string(i));
    testing::WriteText(path, std::to_string(i) + "\n");
    EXPECT_EQ(ReadInt(path), static_cast<int64_t>(i));
  }
  EXPECT_EQ(cache.open_files(), kOpenProbeFilesMax);
}

// procfs makes its text anew for a read at offset 0 of an fd kept open: /proc/uptime counts in
// hundredths of a second.
TEST(OpenFileCacheTest, ProcfsTextIsFreshOnAnFdKeptOpen) {
  if (access("/proc/uptime", R_OK) != 0) GTEST_SKIP() << "no /proc/uptime to read";
  OpenFileCache cache;
  const ScopedFileCache scoped(&cache);
  const auto before = ReadLine("/proc/uptime");
  ASSERT_TRUE(before);
  usleep(30'000);
  const auto after = ReadLine("/proc/uptime");
  ASSERT_TRUE(after);
  EXPECT_NE(*before, *after);
  EXPECT_EQ(cache.open_files(), 1u);
}

}  // namespace
}  // namespace pifleet::hal
