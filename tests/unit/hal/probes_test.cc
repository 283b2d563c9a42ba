// Every probe against every fixture sysroot (tests/fixtures/make_fixtures.sh), plus the parsers
// on the value formats the kernel uses.
#include <gtest/gtest.h>

#include <filesystem>

#include "hal/constants.h"
#include "hal/probes.h"
#include "hal/sysfs_file.h"
#include "tests/unit/hal/fixture.h"

namespace pifleet::hal {
namespace {

using testing::FixtureCopy;
using testing::FixturePath;

struct Expected {
  const char* fixture;
  const char* model;
  const char* serial;
  int cores;
  int64_t cur_khz;
  int64_t max_khz;
  int32_t temp_milli_c;
  ThrottleSource source;
  bool capped_now;
  bool throttled_now;
  bool under_voltage_now;
  bool under_voltage_since_boot;
  uint64_t mem_total_kb;
};

constexpr const char* kPi3 = "Raspberry Pi 3 Model B Rev 1.2";
constexpr const char* kPi4 = "Raspberry Pi 4 Model B Rev 1.4";
constexpr const char* kPi5 = "Raspberry Pi 5 Model B Rev 1.0";
constexpr auto kFw = ThrottleSource::kFirmware;
constexpr auto kHw = ThrottleSource::kHwmon;

const Expected kBoards[] = {
    {"pi3b-cool", kPi3, "00000000a3b4c5d6", 4, 600000, 1200000, 48312, kFw, false, false, false,
     false, 945364},
    {"pi4b-cool", kPi4, "10000000e3f1a2b4", 4, 1800000, 1800000, 45277, kFw, false, false, false,
     false, 3885140},
    {"pi4b-hot", kPi4, "10000000e3f1a2b4", 4, 1800000, 1800000, 78500, kFw, false, false, false,
     false, 3885140},
    {"pi4b-throttled", kPi4, "10000000e3f1a2b4", 4, 1000000, 1800000, 83100, kFw, true, true, false,
     false, 3885140},
    {"pi4b-undervoltage", kPi4, "10000000e3f1a2b4", 4, 1200000, 1800000, 52000, kFw, false, true,
     true, true, 3885140},
    {"pi5-cool", kPi5, "7c3e90d1a5b2f4e8", 4, 1500000, 2400000, 51650, kHw, false, false, false,
     false, 8245632},
    {"pi5-hot", kPi5, "7c3e90d1a5b2f4e8", 4, 2400000, 2400000, 86250, kHw, false, false, false,
     true, 8245632},
};

TEST(ProbesTest, EveryBoardFixtureReadsAsTheBoardItModels) {
  for (const Expected& e : kBoards) {
    SCOPED_TRACE(e.fixture);
    LoadProbe load;
    const ProbeSnapshot s = ReadProbes(FixturePath(e.fixture), &load);
    EXPECT_EQ(s.identity.model, e.model);
    EXPECT_EQ(s.identity.model_source, "device-tree");
    EXPECT_EQ(s.identity.serial, e.serial);
    EXPECT_EQ(s.identity.serial_source, "device-tree");
    EXPECT_EQ(s.cpu.online_cores, e.cores);
    EXPECT_EQ(s.cpu.online_source, "sysfs");
    EXPECT_EQ(s.cpu.cur_khz, e.cur_khz);
    EXPECT_EQ(s.cpu.max_khz, e.max_khz);
    EXPECT_EQ(s.cpu.freq_source, "cpufreq");
    ASSERT_EQ(s.thermal.zones.size(), 1u);
    EXPECT_EQ(s.thermal.zones[0].type, "cpu-thermal");
    EXPECT_EQ(s.thermal.max_milli_c, e.temp_milli_c);
    EXPECT_EQ(s.throttle.source, e.source);
    EXPECT_EQ(s.throttle.now.freq_capped, e.capped_now);
    EXPECT_EQ(s.throttle.now.throttled, e.throttled_now);
    EXPECT_EQ(s.throttle.now.under_voltage, e.under_voltage_now);
    EXPECT_EQ(s.throttle.since_boot.under_voltage, e.under_voltage_since_boot);
    EXPECT_EQ(s.memory.total_bytes, e.mem_total_kb * 1024);
    EXPECT_EQ(s.memory.available_bytes, e.mem_total_kb * 3 / 4 * 1024);
    EXPECT_TRUE(s.cgroup.cgroup_v2);
    EXPECT_EQ(s.cgroup.path, "/system.slice/pifleet.service");
    EXPECT_FALSE(s.cgroup.quota_cores.has_value());  // "max 100000": unlimited
    EXPECT_FALSE(s.busy_share.has_value());          // one sample is no delta
  }
}

TEST(ProbesTest, ThrottledWordDecodesNowAndSinceBoot) {
  LoadProbe load;
  const ProbeSnapshot s = ReadProbes(FixturePath("pi4b-throttled"), &load);
  EXPECT_EQ(s.throttle.raw, 0x60006u);
  EXPECT_TRUE(s.throttle.since_boot.freq_capped);
  EXPECT_TRUE(s.throttle.since_boot.throttled);
  EXPECT_FALSE(s.throttle.since_boot.under_voltage);
  EXPECT_FALSE(s.throttle.now.soft_temp_limit);
  EXPECT_FALSE(s.throttle.capping_inferred);

  const ThrottleReading all = DecodeThrottled(0xF000F);
  EXPECT_TRUE(all.now.under_voltage && all.now.freq_capped && all.now.throttled &&
              all.now.soft_temp_limit);
  EXPECT_TRUE(all.since_boot.under_voltage && all.since_boot.soft_temp_limit);
  const ThrottleReading soft = DecodeThrottled(0x80000);
  EXPECT_FALSE(soft.now.any());
  EXPECT_TRUE(soft.since_boot.soft_temp_limit);
  EXPECT_FALSE(soft.since_boot.throttled);
}

TEST(ProbesTest, QuotaComesFromTheTightestCgroupOnThePath) {
  LoadProbe load;
  const ProbeSnapshot s = ReadProbes(FixturePath("pi4b-quota"), &load);
  ASSERT_TRUE(s.cgroup.quota_cores.has_value());
  EXPECT_DOUBLE_EQ(*s.cgroup.quota_cores, 2.0);
  EXPECT_NE(s.cgroup.quota_from.find("pifleet.service/cpu.max"), std::string::npos);

  FixtureCopy copy("pi4b-quota");
  testing::WriteText(copy.Path("sys/fs/cgroup/system.slice/cpu.max"), "50000 100000\n");
  const CgroupReading parent = ReadCgroup(copy.root());
  EXPECT_DOUBLE_EQ(*parent.quota_cores, 0.5);
  EXPECT_NE(parent.quota_from.find("system.slice/cpu.max"), std::string::npos);
}

TEST(ProbesTest, OffAPiEveryProbeFallsBack) {
  LoadProbe load;
  const ProbeSnapshot s = ReadProbes(FixturePath("container-x86"), &load);
  EXPECT_EQ(s.identity.model, "unknown");
  EXPECT_EQ(s.identity.model_source, "none");
  EXPECT_EQ(s.identity.serial, "5f1d2c3b4a5968778695a4b3c2d1e0f9");
  EXPECT_EQ(s.identity.serial_source, "machine-id");
  EXPECT_EQ(s.cpu.online_cores, 2);
  EXPECT_EQ(s.cpu.freq_source, "cpuinfo-mhz");
  EXPECT_EQ(s.cpu.cur_khz, 2095993);
  EXPECT_FALSE(s.cpu.max_khz.has_value());
  EXPECT_TRUE(s.thermal.zones.empty());
  EXPECT_FALSE(s.thermal.max_milli_c.has_value());
  EXPECT_EQ(s.throttle.source, ThrottleSource::kNone);
  EXPECT_EQ(s.cgroup.path, "/");
  EXPECT_DOUBLE_EQ(*s.cgroup.quota_cores, 1.5);
}

TEST(ProbesTest, HybridHierarchyFindsCgroupV2UnderUnified) {
  FixtureCopy copy("container-x86");
  std::filesystem::create_directories(copy.Path("sys/fs/cgroup/unified"));
  std::filesystem::rename(copy.Path("sys/fs/cgroup/cpu.max"),
                          copy.Path("sys/fs/cgroup/unified/cpu.max"));
  EXPECT_FALSE(ReadCgroup(copy.root()).quota_cores.has_value());  // not mounted there yet
  testing::WriteText(copy.Path("sys/fs/cgroup/unified/cgroup.controllers"), "cpu memory\n");
  EXPECT_DOUBLE_EQ(ReadCgroup(copy.root()).quota_cores.value_or(0), 1.5);
}

TEST(ProbesTest, CgroupV1QuotaIsReadInAContainer) {
  const CgroupReading c = ReadCgroup(FixturePath("container-v1"));
  EXPECT_EQ(c.v1_cpu_path, "/docker/4f2a");
  ASSERT_TRUE(c.quota_cores.has_value());
  EXPECT_DOUBLE_EQ(*c.quota_cores, 0.4);
  EXPECT_NE(c.quota_from.find("cpu,cpuacct/cpu.cfs_quota_us"), std::string::npos);
}

TEST(ProbesTest, CgroupV1TightestAncestorWinsOnAHost) {
  FixtureCopy copy("container-v1");
  testing::WriteText(copy.Path("proc/self/cgroup"), "3:cpu,cpuacct:/bench/w1\n0::/\n");
  testing::WriteText(copy.Path("proc/self/mountinfo"),
                     "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n");
  std::filesystem::create_directories(copy.Path("sys/fs/cgroup/cpu/bench/w1"));
  testing::WriteText(copy.Path("sys/fs/cgroup/cpu/cpu.cfs_quota_us"), "-1\n");
  testing::WriteText(copy.Path("sys/fs/cgroup/cpu/cpu.cfs_period_us"), "100000\n");
  testing::WriteText(copy.Path("sys/fs/cgroup/cpu/bench/cpu.cfs_quota_us"), "-1\n");
  testing::WriteText(copy.Path("sys/fs/cgroup/cpu/bench/cpu.cfs_period_us"), "100000\n");
  testing::WriteText(copy.Path("sys/fs/cgroup/cpu/bench/w1/cpu.cfs_quota_us"), "20000\n");
  testing::WriteText(copy.Path("sys/fs/cgroup/cpu/bench/w1/cpu.cfs_period_us"), "100000\n");
  EXPECT_DOUBLE_EQ(ReadCgroup(copy.root()).quota_cores.value_or(0), 0.2);
  // A parent's tighter quota caps the child.
  testing::WriteText(copy.Path("sys/fs/cgroup/cpu/bench/cpu.cfs_quota_us"), "10000\n");
  const CgroupReading capped = ReadCgroup(copy.root());
  EXPECT_DOUBLE_EQ(capped.quota_cores.value_or(0), 0.1);
  EXPECT_NE(capped.quota_from.find("cpu/bench/cpu.cfs_quota_us"), std::string::npos);
  // Without mountinfo the usual mount point is tried.
  std::filesystem::remove(copy.Path("proc/self/mountinfo"));
  EXPECT_DOUBLE_EQ(ReadCgroup(copy.root()).quota_cores.value_or(0), 0.1);
}

TEST(ProbesTest, CgroupV1ParsesAndMountsRejectNonsense) {
  EXPECT_DOUBLE_EQ(ParseCfsQuota("50000\n", "100000").value_or(0), 0.5);
  EXPECT_FALSE(ParseCfsQuota("-1", "100000").has_value());
  EXPECT_FALSE(ParseCfsQuota("abc", "100000").has_value());
  EXPECT_FALSE(ParseCfsQuota("50000", "0").has_value());
  EXPECT_FALSE(FindCpuV1Mount("33 31 0:30 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct")
                   .has_value());
  EXPECT_FALSE(FindCpuV1Mount("garbage\n\n - \n").has_value());
  const auto escaped =
      FindCpuV1Mount("40 1 0:3 / /mnt/my\\040cg rw - cgroup cgroup rw,cpuacct,cpu\n");
  ASSERT_TRUE(escaped.has_value());
  EXPECT_EQ(escaped->mount_point, "/mnt/my cg");
}

TEST(ProbesTest, EmptySysrootGivesDefaultsNotCrashes) {
  FixtureCopy copy("container-x86");
  std::filesystem::remove_all(copy.Path("sys"));
  std::filesystem::remove_all(copy.Path("proc"));
  LoadProbe load;
  const ProbeSnapshot s = ReadProbes(copy.root(), &load);
  EXPECT_EQ(s.cpu.online_cores, 1);
  EXPECT_EQ(s.cpu.online_source, "default");
  EXPECT_EQ(s.cpu.freq_source, "none");
  EXPECT_FALSE(s.memory.total_bytes.has_value());
  EXPECT_FALSE(s.cgroup.cgroup_v2);
}

TEST(ProbesTest, OnlineCoresFallBackToProcStat) {
  FixtureCopy copy("pi3b-cool");
  std::filesystem::remove(copy.Path("sys/devices/system/cpu/online"));
  EXPECT_EQ(ReadCpu(copy.root()).online_cores, 4);
  EXPECT_EQ(ReadCpu(copy.root()).online_source, "proc-stat");
}

TEST(ProbesTest, IdentityFallsBackToCpuinfoWithoutADeviceTree) {
  FixtureCopy copy("pi4b-cool");
  std::filesystem::remove_all(copy.Path("sys/firmware"));
  const IdentityReading id = ReadIdentity(copy.root());
  EXPECT_EQ(id.model, kPi4);
  EXPECT_EQ(id.model_source, "cpuinfo");
  EXPECT_EQ(id.serial, "10000000e3f1a2b4");
  EXPECT_EQ(id.serial_source, "cpuinfo");
}

TEST(ProbesTest, LoadIsTheBusyShareBetweenTwoSamples) {
  FixtureCopy copy("pi4b-cool");
  LoadProbe load;
  EXPECT_FALSE(load.Sample(copy.root()).has_value());
  // 400 ticks pass: 100 idle, 20 iowait, so 280 of 400 were busy.
  testing::WriteText(copy.Path("proc/stat"), "cpu  120554 312 40291 2870421 5140 0 1822 0 0 0\n");
  const auto busy = load.Sample(copy.root());
  ASSERT_TRUE(busy.has_value());
  EXPECT_DOUBLE_EQ(*busy, 280.0 / 400.0);
  // Counters that go backwards (another file, a reset) give no value, then recover.
  testing::WriteText(copy.Path("proc/stat"), "cpu  1 0 1 1 0 0 0 0 0 0\n");
  EXPECT_FALSE(load.Sample(copy.root()).has_value());
}

TEST(ProbesTest, DebianKernelInfersCappingFromABusySlowClock) {
  FixtureCopy copy("pi4b-debian");
  LoadProbe load;
  ProbeSnapshot first = ReadProbes(copy.root(), &load);
  EXPECT_EQ(first.throttle.source, ThrottleSource::kNone);  // no load yet: nothing to infer
  EXPECT_EQ(first.identity.serial_source, "device-tree");
  // 1000 ticks, 50 idle: 95% busy at 1.0 of 1.8 GHz.
  testing::WriteText(copy.Path("proc/stat"), "cpu  121304 312 40211 2870371 5120 0 1822 0 0 0\n");
  ProbeSnapshot busy = ReadProbes(copy.root(), &load);
  EXPECT_DOUBLE_EQ(*busy.busy_share, 0.95);
  EXPECT_EQ(busy.throttle.source, ThrottleSource::kInferred);
  EXPECT_TRUE(busy.throttle.capping_inferred);
  EXPECT_TRUE(busy.throttle.now.freq_capped);
  // Full clock while busy: not capped.
  testing::WriteText(copy.Path("sys/devices/system/cpu/cpufreq/policy0/scaling_cur_freq"),
                     "1800000\n");
  testing::WriteText(copy.Path("proc/stat"), "cpu  122304 312 40211 2870371 5120 0 1822 0 0 0\n");
  EXPECT_FALSE(ReadProbes(copy.root(), &load).throttle.now.freq_capped);
}

TEST(ProbesTest, ProberReadsValuesEveryTimeAndSearchesEveryRescan) {
  FixtureCopy copy("pi4b-throttled");
  Prober prober(copy.root());
  LoadProbe load;
  const ProbeSnapshot first = prober.Read();
  const ProbeSnapshot searched = ReadProbes(copy.root(), &load);
  EXPECT_EQ(first.thermal.max_milli_c, searched.thermal.max_milli_c);
  EXPECT_EQ(first.throttle.raw, searched.throttle.raw);
  EXPECT_EQ(first.cgroup.quota_cores, searched.cgroup.quota_cores);
  EXPECT_EQ(first.cgroup.quota_from, searched.cgroup.quota_from);
  EXPECT_EQ(first.cpu.cur_khz, searched.cpu.cur_khz);
  EXPECT_EQ(first.identity.serial, searched.identity.serial);
  ASSERT_EQ(first.thermal.zones.size(), 1u);

  // The values are read on every reading.
  testing::WriteText(copy.Path("sys/devices/virtual/thermal/thermal_zone0/temp"), "85000\n");
  testing::WriteText(copy.Path("sys/devices/platform/soc/soc:firmware/get_throttled"), "0x0\n");
  testing::WriteText(copy.Path("sys/fs/cgroup/system.slice/cpu.max"), "50000 100000\n");
  const ProbeSnapshot second = prober.Read();
  EXPECT_EQ(second.thermal.max_milli_c, 85000);
  EXPECT_EQ(second.throttle.raw, 0u);
  EXPECT_DOUBLE_EQ(second.cgroup.quota_cores.value_or(0), 0.5);

  // A zone that appears later is found by the next search, kProbeRescanReadings readings after
  // the first; the identity is never read again.
  std::filesystem::create_directories(copy.Path("sys/class/thermal/thermal_zone1"));
  testing::WriteText(copy.Path("sys/class/thermal/thermal_zone1/type"), "gpu-thermal\n");
  testing::WriteText(copy.Path("sys/class/thermal/thermal_zone1/temp"), "90000\n");
  testing::WriteText(copy.Path("sys/firmware/devicetree/base/serial-number"), "ffff\n");
  for (uint64_t reading = 2; reading < kProbeRescanReadings; ++reading) {
    EXPECT_EQ(prober.Read().thermal.zones.size(), 1u) << "reading " << reading;
  }
  const ProbeSnapshot rescanned = prober.Read();
  EXPECT_EQ(rescanned.thermal.zones.size(), 2u);
  EXPECT_EQ(rescanned.thermal.max_milli_c, 90000);
  EXPECT_EQ(rescanned.identity.serial, first.identity.serial);
}

// Between searches a Prober opens only the files its last search found: a missing file (the
// root cgroup's cpu.max, an x86 VM's cpufreq) would otherwise fail to open every second.
TEST(ProbesTest, ProberOpensOnlyTheFilesItsSearchFound) {
  FixtureCopy copy("pi4b-throttled");
  const std::string cur_freq = "sys/devices/system/cpu/cpufreq/policy0/scaling_cur_freq";
  std::filesystem::remove(copy.Path(cur_freq));
  Prober prober(copy.root());
  const ProbeSnapshot first = prober.Read();
  EXPECT_FALSE(first.cpu.cur_khz.has_value());
  EXPECT_TRUE(first.cpu.max_khz.has_value());
  EXPECT_FALSE(first.cgroup.quota_cores.has_value());  // "max" on the service's path

  testing::WriteText(copy.Path(cur_freq), "600000\n");
  testing::WriteText(copy.Path("sys/fs/cgroup/cpu.max"), "10000 100000\n");
  for (uint64_t reading = 1; reading < kProbeRescanReadings; ++reading) {
    const ProbeSnapshot s = prober.Read();
    EXPECT_FALSE(s.cpu.cur_khz.has_value()) << "reading " << reading;
    EXPECT_FALSE(s.cgroup.quota_cores.has_value()) << "reading " << reading;
  }
  const ProbeSnapshot rescanned = prober.Read();
  EXPECT_EQ(rescanned.cpu.cur_khz, 600000);
  EXPECT_DOUBLE_EQ(rescanned.cgroup.quota_cores.value_or(0), 0.1);
}

TEST(ProbesTest, ProberLeavesTheCpuinfoClockToPeople) {
  LoadProbe load;
  EXPECT_EQ(ReadProbes(FixturePath("container-x86"), &load).cpu.freq_source, "cpuinfo-mhz");
  const ProbeSnapshot s = Prober(FixturePath("container-x86")).Read();
  EXPECT_EQ(s.cpu.freq_source, "none");
  EXPECT_FALSE(s.cpu.cur_khz.has_value());
  EXPECT_DOUBLE_EQ(s.cgroup.quota_cores.value_or(0), 1.5);
}

TEST(ProbesTest, ParsersAcceptKernelFormatsAndRejectGarbage) {
  int first = -1;
  EXPECT_EQ(CountCpuList("0-3\n", &first), 4);
  EXPECT_EQ(first, 0);
  EXPECT_EQ(CountCpuList("1,3-5", &first), 4);
  EXPECT_EQ(first, 1);
  EXPECT_EQ(CountCpuList("0", nullptr), 1);
  EXPECT_FALSE(CountCpuList("", nullptr).has_value());
  EXPECT_FALSE(CountCpuList("3-1", nullptr).has_value());
  EXPECT_FALSE(CountCpuList("0-x", nullptr).has_value());

  EXPECT_EQ(ParseHex("50005\n"), 0x50005u);
  EXPECT_EQ(ParseHex("0x80000"), 0x80000u);
  EXPECT_EQ(ParseHex("0"), 0u);
  EXPECT_FALSE(ParseHex("zz").has_value());
  EXPECT_FALSE(ParseHex("0x").has_value());
  EXPECT_EQ(ParseInt(" 45277\n"), 45277);
  EXPECT_EQ(ParseInt("-5000"), -5000);
  EXPECT_FALSE(ParseInt("12a").has_value());

  EXPECT_DOUBLE_EQ(*ParseCpuMax("200000 100000\n"), 2.0);
  EXPECT_DOUBLE_EQ(*ParseCpuMax("50000 100000"), 0.5);
  EXPECT_FALSE(ParseCpuMax("max 100000").has_value());
  EXPECT_FALSE(ParseCpuMax("100000").has_value());
  EXPECT_FALSE(ParseCpuMax("0 100000").has_value());

  const auto times = ParseProcStat("cpu  10 1 5 100 7 1 1 2 3 4\ncpu0 1 2 3 4\n");
  ASSERT_TRUE(times.has_value());
  EXPECT_EQ(times->total_ticks, 127u);  // guest fields are already in user and nice
  EXPECT_EQ(times->idle_ticks, 107u);
  EXPECT_FALSE(ParseProcStat("cpu0 1 2 3 4\n").has_value());
  EXPECT_FALSE(ParseProcStat("cpu  1 2\n").has_value());

  const MemoryReading mem = ParseMeminfo("MemTotal:  100 kB\nMemFree: 5 kB\nMemAvailable: 60 kB\n");
  EXPECT_EQ(mem.total_bytes, 102400u);
  EXPECT_EQ(mem.available_bytes, 61440u);
  EXPECT_FALSE(ParseMeminfo("SwapTotal: 1 kB\n").total_bytes.has_value());
}

TEST(ProbesTest, SysrootJoinsWithoutDoubleOrMissingSlashes) {
  EXPECT_EQ(JoinSysroot("/", "/sys/class"), "/sys/class");
  EXPECT_EQ(JoinSysroot("", "proc/stat"), "/proc/stat");
  EXPECT_EQ(JoinSysroot("fixtures/pi4/", "/proc/stat"), "fixtures/pi4/proc/stat");
  EXPECT_EQ(JoinSysroot("fixtures/pi4", "proc/stat"), "fixtures/pi4/proc/stat");
}

}  // namespace
}  // namespace pifleet::hal
