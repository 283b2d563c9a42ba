// The GPIO LED driver against a GpioLine double, and libgpiod itself against the kernel's
// gpio-sim when it can be loaded (skipped with a message otherwise).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "hal/gpio_line.h"
#include "hal/gpiod_led.h"
#include "hal/sysfs_file.h"
#include "tests/unit/hal/fixture.h"

namespace pifleet::hal {
namespace {

class FakeGpioLine final : public GpioLine {
 public:
  explicit FakeGpioLine(std::vector<std::string>* log) : log_(log) {}
  Status Request(bool on) override {
    log_->push_back(std::string("request ") + (on ? "1" : "0"));
    if (fail_requests_ > 0) {
      --fail_requests_;
      return Status::IOError("busy");
    }
    return Status::Ok();
  }
  Status Set(bool on) override {
    log_->push_back(std::string("set ") + (on ? "1" : "0"));
    return Status::Ok();
  }
  void Release() override { log_->push_back("release"); }
  std::string Describe() const override { return "fake:0:5"; }
  int fail_requests_ = 0;

 private:
  std::vector<std::string>* log_;
};

TEST(GpiodLedTest, ClaimsTheLineOnFirstUseAndReleasesItOnRestore) {
  std::vector<std::string> log;
  GpiodLed led(std::make_unique<FakeGpioLine>(&log));
  EXPECT_TRUE(led.Restore().ok());  // nothing claimed yet: nothing to do
  EXPECT_TRUE(led.SetLevel(true).ok());
  EXPECT_TRUE(led.SetLevel(false).ok());
  EXPECT_TRUE(led.SetLevel(true).ok());
  EXPECT_TRUE(led.Restore().ok());
  EXPECT_EQ(log, (std::vector<std::string>{"request 1", "set 0", "set 1", "set 0", "release"}));
  EXPECT_EQ(led.Describe(), "fake:0:5");
}

TEST(GpiodLedTest, AFailedRequestIsReportedAndRetried) {
  std::vector<std::string> log;
  auto line = std::make_unique<FakeGpioLine>(&log);
  line->fail_requests_ = 1;
  GpiodLed led(std::move(line));
  EXPECT_EQ(led.SetLevel(true).code(), Status::Code::kIOError);
  EXPECT_TRUE(led.SetLevel(true).ok());
  EXPECT_EQ(log, (std::vector<std::string>{"request 1", "request 1"}));
}

TEST(GpiodLedTest, CannotHoldABlinkAfterExit) {
  std::vector<std::string> log;
  GpiodLed led(std::make_unique<FakeGpioLine>(&log));
  EXPECT_EQ(led.HoldBlink(250, 250).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(log.empty());
}

TEST(GpiodLedTest, DestructorReleasesAClaimedLine) {
  std::vector<std::string> log;
  {
    GpiodLed led(std::make_unique<FakeGpioLine>(&log));
    EXPECT_TRUE(led.SetLevel(true).ok());
  }
  EXPECT_EQ(log.back(), "release");
}

TEST(GpiodLedTest, UnknownChipIsAnErrorNamingTheLine) {
  GpiodLed led(MakeGpiodLine("pifleet-no-such-chip", 3, false));
  const Status status = led.SetLevel(true);
  EXPECT_EQ(status.code(), Status::Code::kIOError);
  EXPECT_NE(status.message().find("gpio:pifleet-no-such-chip:3"), std::string::npos);
}

// gpio-sim (Linux 5.17+): a configfs directory per simulated chip. Each line's value shows in
// /sys/devices/platform/<dev_name>/<chip_name>/sim_gpio<N>/value.
class GpioSim {
 public:
  static constexpr const char* kConfigfs = "/sys/kernel/config/gpio-sim";

  bool Create(std::string* why) {
    if (!std::filesystem::exists(kConfigfs)) {
      if (std::system("modprobe gpio-sim >/dev/null 2>&1") != 0 ||
          !std::filesystem::exists(kConfigfs)) {
        *why = "gpio-sim not available (modprobe gpio-sim failed or no configfs at " +
               std::string(kConfigfs) + ")";
        return false;
      }
    }
    dir_ = std::string(kConfigfs) + "/pifleet-test-" + std::to_string(::getpid());
    std::error_code ec;
    if (!std::filesystem::create_directory(dir_, ec) ||
        !std::filesystem::create_directory(dir_ + "/bank0", ec) ||
        !WriteFile(dir_ + "/bank0/num_lines", "8").ok() || !WriteFile(dir_ + "/live", "1").ok()) {
      *why = "gpio-sim present but configfs setup failed: " + ec.message();
      return false;
    }
    live_ = true;
    chip_ = testing::ReadText(dir_ + "/bank0/chip_name");
    dev_ = testing::ReadText(dir_ + "/dev_name");
    return !chip_.empty();
  }

  ~GpioSim() {
    if (live_) (void)WriteFile(dir_ + "/live", "0");
    std::error_code ec;
    if (!dir_.empty()) {
      std::filesystem::remove(dir_ + "/bank0", ec);
      std::filesystem::remove(dir_, ec);
    }
  }

  const std::string& chip() const { return chip_; }
  std::string Value(int line) const {
    return testing::ReadText("/sys/devices/platform/" + dev_ + "/" + chip_ + "/sim_gpio" +
                             std::to_string(line) + "/value");
  }

 private:
  std::string dir_;
  std::string chip_;
  std::string dev_;
  bool live_ = false;
};

TEST(GpiodLedTest, DrivesARealLineOnGpioSim) {
  GpioSim sim;
  std::string why;
  if (!sim.Create(&why)) GTEST_SKIP() << why;
  GpiodLed led(MakeGpiodLine(sim.chip(), 3, false));
  ASSERT_TRUE(led.SetLevel(true).ok());
  EXPECT_EQ(sim.Value(3), "1");
  ASSERT_TRUE(led.SetLevel(false).ok());
  EXPECT_EQ(sim.Value(3), "0");
  GpiodLed inverted(MakeGpiodLine(sim.chip(), 4, true));
  ASSERT_TRUE(inverted.SetLevel(true).ok());
  EXPECT_EQ(sim.Value(4), "0");  // active-low: on drives the line low
  EXPECT_TRUE(led.Restore().ok());
  EXPECT_TRUE(inverted.Restore().ok());
}

}  // namespace
}  // namespace pifleet::hal
