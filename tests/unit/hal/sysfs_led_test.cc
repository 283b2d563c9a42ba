// The sysfs LED driver's writes, checked in a copy of the fixture LED class tree.
#include <gtest/gtest.h>

#include "hal/sysfs_led.h"
#include "tests/unit/hal/fixture.h"

namespace pifleet::hal {
namespace {

using testing::FixtureCopy;
using testing::ReadText;

TEST(SysfsLedTest, ParsesTheTriggerListWithTheActiveOneInBrackets) {
  const TriggerList list = ParseTriggerList("none timer heartbeat [mmc0] default-on\n");
  EXPECT_EQ(list.active, "mmc0");
  EXPECT_EQ(list.available,
            (std::vector<std::string>{"none", "timer", "heartbeat", "mmc0", "default-on"}));
  EXPECT_EQ(ParseTriggerList("none timer").active, "");
}

TEST(SysfsLedTest, SetLevelTakesTheLedFromItsTriggerAndRestoreGivesItBack) {
  FixtureCopy copy("sysfs-leds");
  std::unique_ptr<SysfsLed> led;
  ASSERT_TRUE(SysfsLed::Open(copy.root(), "ACT", &led).ok());
  EXPECT_EQ(led->saved_trigger(), "mmc0");
  const std::string dir = copy.Path("sys/class/leds/ACT/");

  ASSERT_TRUE(led->SetLevel(true).ok());
  EXPECT_EQ(ReadText(dir + "trigger"), "none");
  EXPECT_EQ(ReadText(dir + "brightness"), "255");  // max_brightness
  ASSERT_TRUE(led->SetLevel(false).ok());
  EXPECT_EQ(ReadText(dir + "brightness"), "0");

  ASSERT_TRUE(led->Restore().ok());
  EXPECT_EQ(ReadText(dir + "trigger"), "mmc0");
}

TEST(SysfsLedTest, RestoreOfALedThatHadNoTriggerPutsBackItsBrightness) {
  FixtureCopy copy("sysfs-leds");
  const std::string dir = copy.Path("sys/class/leds/PWR/");
  testing::WriteText(dir + "trigger", "[none] timer default-on\n");
  testing::WriteText(dir + "brightness", "17\n");
  std::unique_ptr<SysfsLed> led;
  ASSERT_TRUE(SysfsLed::Open(copy.root(), "PWR", &led).ok());
  ASSERT_TRUE(led->SetLevel(false).ok());
  EXPECT_EQ(ReadText(dir + "brightness"), "0");
  ASSERT_TRUE(led->Restore().ok());
  EXPECT_EQ(ReadText(dir + "brightness"), "17");
}

TEST(SysfsLedTest, HoldBlinkUsesTheTimerTrigger) {
  FixtureCopy copy("sysfs-leds");
  std::unique_ptr<SysfsLed> led;
  ASSERT_TRUE(SysfsLed::Open(copy.root(), "PWR", &led).ok());
  EXPECT_EQ(led->saved_trigger(), "default-on");
  // The kernel creates delay_on/delay_off when the timer trigger attaches; so does the test.
  const std::string dir = copy.Path("sys/class/leds/PWR/");
  testing::WriteText(dir + "delay_on", "500\n");
  testing::WriteText(dir + "delay_off", "500\n");
  ASSERT_TRUE(led->HoldBlink(250, 750).ok());
  EXPECT_EQ(ReadText(dir + "trigger"), "timer");
  EXPECT_EQ(ReadText(dir + "delay_on"), "250");
  EXPECT_EQ(ReadText(dir + "delay_off"), "750");
  ASSERT_TRUE(led->Restore().ok());
  EXPECT_EQ(ReadText(dir + "trigger"), "default-on");
}

TEST(SysfsLedTest, HoldBlinkWithoutTheTimerTriggerSaysWhichModuleToLoad) {
  FixtureCopy copy("sysfs-leds");
  std::unique_ptr<SysfsLed> led;
  ASSERT_TRUE(SysfsLed::Open(copy.root(), "NOTIMER", &led).ok());
  const Status status = led->HoldBlink(250, 250);
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_NE(status.message().find("ledtrig-timer"), std::string::npos) << status.ToString();
  EXPECT_EQ(ReadText(copy.Path("sys/class/leds/NOTIMER/trigger")),
            "none heartbeat [mmc0] default-on");  // nothing written
}

TEST(SysfsLedTest, OlderKernelsNameTheLedsLed0AndLed1) {
  FixtureCopy copy("sysfs-leds-legacy");
  std::unique_ptr<SysfsLed> act;
  std::unique_ptr<SysfsLed> pwr;
  ASSERT_TRUE(SysfsLed::Open(copy.root(), "ACT", &act).ok());
  ASSERT_TRUE(SysfsLed::Open(copy.root(), "PWR", &pwr).ok());
  EXPECT_NE(act->Describe().find("/leds/led0"), std::string::npos);
  EXPECT_NE(pwr->Describe().find("/leds/led1"), std::string::npos);
  EXPECT_EQ(pwr->saved_trigger(), "input");
  ASSERT_TRUE(act->SetLevel(true).ok());
  EXPECT_EQ(ReadText(copy.Path("sys/class/leds/led0/brightness")), "255");
}

TEST(SysfsLedTest, MissingOrUnsafeNamesAreErrors) {
  FixtureCopy copy("sysfs-leds");
  std::unique_ptr<SysfsLed> led;
  EXPECT_EQ(SysfsLed::Open(copy.root(), "green", &led).code(), Status::Code::kNotFound);
  EXPECT_EQ(SysfsLed::Open(copy.root(), "../ACT", &led).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(SysfsLed::Open(copy.root(), "", &led).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(led, nullptr);
}

}  // namespace
}  // namespace pifleet::hal
