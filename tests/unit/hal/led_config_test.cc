// LED configuration in TOML: both kinds of LED, the defaults, and clear errors naming the key.
#include <gtest/gtest.h>

#include "hal/led_config.h"
#include "tests/unit/hal/fixture.h"

namespace pifleet::hal {
namespace {

Status Parse(const std::string& text, LedConfig* config) {
  return ParseLedConfig(text, "pifleet.toml", config);
}

TEST(LedConfigTest, NoSectionMeansThePisOwnLeds) {
  LedConfig config;
  ASSERT_TRUE(Parse("[agent]\nname = \"pi-1\"\n", &config).ok());
  EXPECT_EQ(config.status->kind, LedSpec::Kind::kSysfs);
  EXPECT_EQ(config.status->name, "ACT");
  EXPECT_EQ(config.heartbeat->name, "PWR");
}

TEST(LedConfigTest, SysfsByNameAndGpioByChipAndLine) {
  LedConfig config;
  ASSERT_TRUE(Parse(R"([leds.status]
name = "led0"
[leds.heartbeat]
chip = "gpiochip0"
line = 17
active_low = true
)",
                    &config)
                  .ok());
  EXPECT_EQ(config.status->kind, LedSpec::Kind::kSysfs);
  EXPECT_EQ(config.status->name, "led0");
  EXPECT_EQ(config.heartbeat->kind, LedSpec::Kind::kGpio);
  EXPECT_EQ(config.heartbeat->chip, "gpiochip0");
  EXPECT_EQ(config.heartbeat->line, 17u);
  EXPECT_TRUE(config.heartbeat->active_low);
}

void ExpectError(const std::string& text, const std::string& key, const std::string& reason) {
  LedConfig config;
  const Status status = Parse(text, &config);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << text;
  EXPECT_NE(status.message().find("pifleet.toml: " + key + ": "), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find(reason), std::string::npos) << status.message();
}

TEST(LedConfigTest, BrokenConfigNamesTheKeyAndTheReason) {
  ExpectError("[leds.status]\nname = \"ACT\"\nchip = \"gpiochip0\"\nline = 1\n", "leds.status",
              "either");
  ExpectError("[leds.status]\n", "leds.status", "either");
  ExpectError("[leds.heartbeat]\nchip = \"gpiochip0\"\nline = -1\n", "leds.heartbeat.line",
              "0..1023");
  ExpectError("[leds.heartbeat]\nchip = \"gpiochip0\"\nline = \"17\"\n", "leds.heartbeat.line",
              "integer");
  ExpectError("[leds.heartbeat]\nchip = \"gpiochip0\"\n", "leds.heartbeat.line", "integer");
  ExpectError("[leds.heartbeat]\nline = 3\n", "leds.heartbeat.chip", "string");
  ExpectError("[leds.status]\nname = \"../ACT\"\n", "leds.status.name", "/sys/class/leds");
  ExpectError("[leds.status]\nname = \"ACT\"\ncolour = \"red\"\n", "leds.status.colour",
              "unknown key");
  ExpectError("[leds.disco]\nname = \"ACT\"\n", "leds.disco", "unknown LED");
  ExpectError("leds = 3\n", "leds", "must be a table");
  ExpectError("[leds]\nstatus = \"ACT\"\n", "leds.status", "must be a table");
  ExpectError("[leds.heartbeat]\nchip = \"c\"\nline = 1\nactive_low = 1\n",
              "leds.heartbeat.active_low", "true or false");
}

TEST(LedConfigTest, SyntaxErrorsGiveLineAndColumn) {
  LedConfig config;
  const Status status = Parse("[leds.status]\nname = \n", &config);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("pifleet.toml:2:", 0), 0u) << status.message();
}

TEST(LedConfigTest, LoadReportsAMissingFile) {
  LedConfig config;
  EXPECT_EQ(LoadLedConfig("/nonexistent/pifleet.toml", &config).code(), Status::Code::kNotFound);
}

TEST(LedConfigTest, MakesTheDriverTheSpecAsksFor) {
  testing::FixtureCopy copy("sysfs-leds");
  std::unique_ptr<LedDriver> led;
  ASSERT_TRUE(MakeLedDriver(DefaultLedConfig().status.value(), copy.root(), &led).ok());
  EXPECT_EQ(led->Describe(), "sysfs:" + copy.Path("sys/class/leds/ACT"));
  LedSpec gpio{LedSpec::Kind::kGpio, "", "gpiochip4", 21, true};
  ASSERT_TRUE(MakeLedDriver(gpio, copy.root(), &led).ok());
  EXPECT_EQ(led->Describe(), "gpio:gpiochip4:21:active-low");
  LedSpec missing{LedSpec::Kind::kSysfs, "nope", "", 0, false};
  EXPECT_EQ(MakeLedDriver(missing, copy.root(), &led).code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace pifleet::hal
