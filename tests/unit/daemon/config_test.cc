#include "agent/daemon/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agent/sm/member_limits.h"
#include "agent/store/posix_env.h"

namespace pifleet::daemon {
namespace {

TEST(Config, FileValuesOverDefaults) {
  AgentConfig config;
  ASSERT_TRUE(ParseConfigText(R"(
cluster = "rack-a"
data_dir = "/srv/pifleet"
join = ["10.0.0.1:7101", "10.0.0.2:7101"]
role = "learner"
voters = 5
discover = true

[leds.status]
name = "ACT"
)",
                              "pifleet.toml", &config)
                  .ok());
  EXPECT_EQ(config.cluster, "rack-a");
  EXPECT_EQ(config.data_dir, "/srv/pifleet");
  EXPECT_EQ(config.join, (std::vector<std::string>{"10.0.0.1:7101", "10.0.0.2:7101"}));
  EXPECT_EQ(config.role, "learner");
  EXPECT_EQ(config.voters, 5u);
  EXPECT_TRUE(config.discover);
  EXPECT_EQ(config.listen, "0.0.0.0:7101");  // untouched default
  EXPECT_TRUE(ValidateConfig(config).ok());
}

TEST(Config, LedTablesAndSysrootReachTheAgent) {
  AgentConfig config;
  EXPECT_EQ(config.leds.status->name, "ACT");  // the Pi's own LEDs by default
  EXPECT_EQ(config.sysroot, "/");
  ASSERT_TRUE(ParseConfigText(R"(
sysroot = "/tmp/fixture"

[leds.status]
name = "led0"

[leds.heartbeat]
chip = "gpiochip0"
line = 17
)",
                              "pifleet.toml", &config)
                  .ok());
  EXPECT_EQ(config.sysroot, "/tmp/fixture");
  EXPECT_EQ(config.leds.status->name, "led0");
  EXPECT_EQ(config.leds.heartbeat->kind, hal::LedSpec::Kind::kGpio);
  EXPECT_EQ(config.leds.heartbeat->line, 17u);

  AgentConfig untouched;
  const Status bad = ParseConfigText("[leds.heartbeat]\nline = 5000\n", "x.toml", &untouched);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("leds.heartbeat"), std::string::npos) << bad.message();
  EXPECT_EQ(untouched.leds.heartbeat->name, "PWR");
}

TEST(Config, BrokenFilesNameTheProblemAndChangeNothing) {
  const struct {
    const char* text;
    const char* expected;
  } cases[] = {
      {"cluster = ", "pifleet.toml:1:"},                     // syntax, with line and column
      {"clutser = \"x\"", "unknown key 'clutser'"},          // typo
      {"voters = \"three\"", "'voters' must be a integer"},  // type
      {"seed = 1", "'seed' must be a boolean"},
      {"join = \"10.0.0.1:7101\"", "'join' must be a array of strings"},
      {"voters = -1", "'voters' is out of range"},
  };
  for (const auto& c : cases) {
    AgentConfig config;
    config.cluster = "unchanged";
    const Status status = ParseConfigText(c.text, "pifleet.toml", &config);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << c.text;
    EXPECT_NE(status.message().find(c.expected), std::string::npos) << status.message();
    EXPECT_EQ(config.cluster, "unchanged");
  }
  AgentConfig config;
  EXPECT_EQ(LoadConfigFile(store::PosixEnv(), "/nonexistent/pifleet.toml", &config).code(),
            Status::Code::kIOError);
}

TEST(Config, ValidationCatchesWhatOneKeyCannot) {
  AgentConfig config;
  config.role = "boss";
  EXPECT_NE(ValidateConfig(config).message().find("role"), std::string::npos);
  config = AgentConfig{};
  config.voters = 4;
  EXPECT_NE(ValidateConfig(config).message().find("odd"), std::string::npos);
  config = AgentConfig{};
  config.seed = true;
  config.join = {"127.0.0.1:7101"};
  EXPECT_NE(ValidateConfig(config).message().find("cannot be combined"), std::string::npos);
  config = AgentConfig{};
  config.datagram_bytes = 100;
  EXPECT_FALSE(ValidateConfig(config).ok());
}

// Issue 13's smaller items: each is refused as a usage error, before the agent starts.
TEST(Config, VotersErrorNamesTheCountsItAccepts) {
  AgentConfig config;
  for (uint32_t voters : {1u, 3u, 5u, 7u}) {
    config.voters = voters;
    EXPECT_TRUE(ValidateConfig(config).ok()) << voters;
  }
  config.voters = 2;
  const std::string message = ValidateConfig(config).message();
  EXPECT_NE(message.find("1, 3, 5 or 7"), std::string::npos) << message;
  EXPECT_NE(message.find("3 or 5 for a fleet"), std::string::npos) << message;
}

TEST(Config, DiscoverSettingsAreCheckedWithoutDiscover) {
  AgentConfig config;
  ASSERT_FALSE(config.discover);
  config.discover_interval_ms = 5;
  EXPECT_NE(ValidateConfig(config).message().find("discover_interval_ms"), std::string::npos);
  config.discover_interval_ms = 60001;
  EXPECT_FALSE(ValidateConfig(config).ok());
  config.discover_interval_ms = 100;
  EXPECT_TRUE(ValidateConfig(config).ok());
  config.discover_group = "10.0.0.1:7170";  // not multicast
  EXPECT_NE(ValidateConfig(config).message().find("discover_group"), std::string::npos);
}

TEST(Config, MalformedListenOrJoinIsAUsageError) {
  AgentConfig config;
  config.listen = "127.0.0.1";  // no port
  Status status = ValidateConfig(config);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("listen '127.0.0.1'"), std::string::npos) << status.message();
  config = AgentConfig{};
  config.join = {"127.0.0.1:7101", "127.0.0.1:notaport"};
  status = ValidateConfig(config);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("join '127.0.0.1:notaport'"), std::string::npos)
      << status.message();
  config.join = {"[::1]:7101", "pi-01.local:7101"};  // names resolve at start, not here
  EXPECT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config).message();
}

TEST(Config, ConfigPathThatIsADirectoryIsRefused) {
  AgentConfig config;
  const Status status = LoadConfigFile(store::PosixEnv(), ::testing::TempDir(), &config);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("is a directory"), std::string::npos) << status.message();
}

// Names reach every replica and every `pifleet members` (issue 13): bounded and free of
// control characters at load, with the bound named; a name at the bound is fine.
TEST(Config, NamesAreBoundedAndFreeOfControlCharacters) {
  AgentConfig config;
  config.name = std::string(sm::kMemberNameBytesMax, 'n');
  EXPECT_TRUE(ValidateConfig(config).ok());
  config.name = std::string(2000, 'n');
  EXPECT_EQ(ValidateConfig(config).message(), "name is 2000 bytes long; the limit is 64 bytes");
  config.name = "pi\x1b[31m-01";
  EXPECT_NE(ValidateConfig(config).message().find("control character"), std::string::npos);
  config = AgentConfig{};
  config.cluster = std::string(sm::kClusterNameBytesMax + 1, 'c');
  EXPECT_NE(ValidateConfig(config).message().find("cluster is 65 bytes"), std::string::npos);
  AgentConfig parsed;
  ASSERT_TRUE(ParseConfigText("name = \"a\\nb\"\n", "test.toml", &parsed).ok());
  EXPECT_FALSE(ValidateConfig(parsed).ok()) << "a newline in a TOML string";
}

TEST(Config, FlagsGivenOnTheCommandLineWinOverTheFile) {
  CLI::App app;
  ConfigFlags flags;
  flags.Add(&app);
  const char* argv[] = {
      "agent", "--listen", "127.0.0.1:7102", "--join", "127.0.0.1:7101,127.0.0.1:7103", "--seed"};
  ASSERT_NO_THROW(app.parse(6, const_cast<char**>(argv)));
  AgentConfig config;
  ASSERT_TRUE(ParseConfigText("listen = \"0.0.0.0:9999\"\nname = \"pi-07\"", "f", &config).ok());
  flags.ApplyGivenFlags(&config);
  EXPECT_EQ(config.listen, "127.0.0.1:7102");  // flag wins
  EXPECT_EQ(config.name, "pi-07");             // file value kept: no flag given
  EXPECT_EQ(config.join, (std::vector<std::string>{"127.0.0.1:7101", "127.0.0.1:7103"}));
  EXPECT_TRUE(config.seed);
}

TEST(Config, ReferenceListsEveryKeyWithItsFlag) {
  const std::string table = ConfigReferenceMarkdown();
  EXPECT_NE(table.find("| `data_dir` | `--data-dir` | string | `\"/var/lib/pifleet\"` |"),
            std::string::npos);
  EXPECT_NE(table.find("| `unsafe_no_fsync` | `--unsafe-no-fsync` | boolean | `false` |"),
            std::string::npos);
}

}  // namespace
}  // namespace pifleet::daemon

namespace pifleet::daemon {
namespace {

TEST(Config, DocsCarryTheCurrentReferenceTable) {
  std::ifstream file(std::string(PIFLEET_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_TRUE(file) << "docs/configuration.md is missing";
  std::ostringstream text;
  text << file.rdbuf();
  EXPECT_NE(text.str().find(ConfigReferenceMarkdown()), std::string::npos)
      << "docs/configuration.md is out of date; its table must read:\n"
      << ConfigReferenceMarkdown();
}

}  // namespace
}  // namespace pifleet::daemon
