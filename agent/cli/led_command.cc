// `pifleet led test` cycles the status LED through every pattern of the LED language (and
// toggles the heartbeat LED), then gives both LEDs back. `pifleet led set PATTERN` leaves a
// pattern that outlives the command: the systemd stop hook's `led set failed`.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "agent/cli/command.h"
#include "hal/led_config.h"
#include "hal/led_language.h"

namespace pifleet::cli {

namespace {

using ::pifleet::hal::AllPatterns;
using ::pifleet::hal::DefaultLedConfig;
using ::pifleet::hal::DescribeSteps;
using ::pifleet::hal::LedConfig;
using ::pifleet::hal::LedDriver;
using ::pifleet::hal::LevelAt;
using ::pifleet::hal::LoadLedConfig;
using ::pifleet::hal::MakeLedDriver;
using ::pifleet::hal::PatternByName;
using ::pifleet::hal::PatternLevel;
using ::pifleet::hal::PatternSpec;
using ::pifleet::hal::SpecOf;

constexpr uint32_t kHeartbeatToggleMs = 250;

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void OnInterrupt(int) { g_interrupted = 1; }

struct LedOptions {
  std::string config;
  std::string sysroot = "/";
};

struct Leds {
  std::unique_ptr<LedDriver> status;
  std::unique_ptr<LedDriver> heartbeat;  // null when the board has none
};

// Opens the configured LEDs. The status LED is required; a missing heartbeat LED is a warning.
bool OpenLeds(const LedOptions& options, Leds* leds) {
  LedConfig config = DefaultLedConfig();
  if (!options.config.empty()) {
    const Status status = LoadLedConfig(options.config, &config);
    if (!status.ok()) {
      std::fprintf(stderr, "pifleet led: %s\n", status.message().c_str());
      return false;
    }
  }
  const Status status = MakeLedDriver(*config.status, options.sysroot, &leds->status);
  if (!status.ok()) {
    std::fprintf(stderr, "pifleet led: status LED: %s\n", status.message().c_str());
    return false;
  }
  const Status heartbeat = MakeLedDriver(*config.heartbeat, options.sysroot, &leds->heartbeat);
  if (!heartbeat.ok()) {
    std::fprintf(stderr, "pifleet led: no heartbeat LED (%s)\n", heartbeat.message().c_str());
    leds->heartbeat.reset();
  }
  return true;
}

// Shows one pattern for `each_ms`, stepping it from this loop as the agent does.
Status ShowPattern(const PatternSpec& spec, uint32_t each_ms, Leds& leds, bool* heartbeat_on) {
  uint32_t elapsed_ms = 0;
  uint32_t heartbeat_due_ms = 0;
  while (elapsed_ms < each_ms && g_interrupted == 0) {
    const PatternLevel level = LevelAt(spec, elapsed_ms);
    Status status = leds.status->SetLevel(level.on);
    if (!status.ok()) return status;
    if (leds.heartbeat != nullptr && elapsed_ms >= heartbeat_due_ms) {
      *heartbeat_on = !*heartbeat_on;
      status = leds.heartbeat->SetLevel(*heartbeat_on);
      if (!status.ok()) return status;
      heartbeat_due_ms += kHeartbeatToggleMs;
    }
    uint32_t wait_ms = level.remaining_ms == 0 ? each_ms - elapsed_ms : level.remaining_ms;
    if (leds.heartbeat != nullptr && heartbeat_due_ms - elapsed_ms < wait_ms) {
      wait_ms = heartbeat_due_ms - elapsed_ms;
    }
    if (wait_ms > each_ms - elapsed_ms) wait_ms = each_ms - elapsed_ms;
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    elapsed_ms += wait_ms;
  }
  return Status::Ok();
}

int RunTest(const LedOptions& options, uint32_t each_ms) {
  Leds leds;
  if (!OpenLeds(options, &leds)) return kExitError;
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  std::printf("status LED %s, heartbeat LED %s\n", leds.status->Describe().c_str(),
              leds.heartbeat ? leds.heartbeat->Describe().c_str() : "(none)");
  bool heartbeat_on = false;
  Status failure;
  for (const PatternSpec& spec : AllPatterns()) {
    if (g_interrupted != 0) break;
    std::printf("%-14s %s\n", spec.name, DescribeSteps(spec).c_str());
    std::fflush(stdout);
    failure = ShowPattern(spec, each_ms, leds, &heartbeat_on);
    if (!failure.ok()) break;
  }
  // Give the LEDs back even after an error or Ctrl-C.
  Status restored = leds.status->Restore();
  if (leds.heartbeat != nullptr) {
    const Status hb = leds.heartbeat->Restore();
    if (restored.ok()) restored = hb;
  }
  for (const Status& s : {failure, restored}) {
    if (!s.ok()) std::fprintf(stderr, "pifleet led test: %s\n", s.message().c_str());
  }
  return failure.ok() && restored.ok() ? kExitOk : kExitError;
}

int RunSet(const LedOptions& options, const std::string& name, const std::string& which) {
  const auto pattern = PatternByName(name);
  if (!pattern) {
    std::fprintf(stderr, "pifleet led set: unknown pattern '%s' (see docs/leds.md)\n",
                 name.c_str());
    return kExitUsage;
  }
  const PatternSpec& spec = SpecOf(*pattern);
  if (spec.step_count != 0 && spec.step_count != 2) {
    std::fprintf(stderr,
                 "pifleet led set: '%s' has %d steps; only steady or single on/off patterns "
                 "outlive the command\n",
                 name.c_str(), spec.step_count);
    return kExitUsage;
  }
  Leds leds;
  if (!OpenLeds(options, &leds)) return kExitError;
  LedDriver* led = which == "heartbeat" ? leds.heartbeat.get() : leds.status.get();
  if (led == nullptr) return kExitError;
  const Status status = spec.step_count == 0 ? led->SetLevel(true)
                                             : led->HoldBlink(spec.steps_ms[0], spec.steps_ms[1]);
  if (!status.ok()) {
    std::fprintf(stderr, "pifleet led set: %s\n", status.message().c_str());
    return kExitError;
  }
  return kExitOk;
}

void AddLedOptions(CLI::App* cmd, LedOptions* options) {
  cmd->add_option("--config", options->config, "TOML file with [leds.status]/[leds.heartbeat]")
      ->check(CLI::ExistingFile);
  cmd->add_option("--sysroot", options->sysroot, "Find /sys/class/leds under DIR")
      ->check(CLI::ExistingDirectory);
}

}  // namespace

void InstallLedCommand(CLI::App& app, Context& context) {
  auto* led = app.add_subcommand("led", "Drive this Pi's status and heartbeat LEDs");
  led->require_subcommand(1);
  auto options = std::make_shared<LedOptions>();

  auto* test = led->add_subcommand("test", "Cycle the status LED through every pattern");
  auto each_ms = std::make_shared<uint32_t>(3000);
  AddLedOptions(test, options.get());
  test->add_option("--each-ms", *each_ms, "How long to show each pattern")
      ->check(CLI::Range(100u, 60000u));
  test->callback([options, each_ms, &context] { context.exit_code = RunTest(*options, *each_ms); });

  auto* set = led->add_subcommand("set", "Leave a pattern that outlives this command");
  auto name = std::make_shared<std::string>();
  auto which = std::make_shared<std::string>("status");
  set->add_option("PATTERN", *name, "A pattern of docs/leds.md, e.g. failed")->required();
  set->add_option("--led", *which, "Which LED")->check(CLI::IsMember({"status", "heartbeat"}));
  AddLedOptions(set, options.get());
  set->callback(
      [options, name, which, &context] { context.exit_code = RunSet(*options, *name, *which); });
}

}  // namespace pifleet::cli
