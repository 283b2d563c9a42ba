// Which LEDs the agent drives, from the TOML configuration:
//   [leds.status]    name = "ACT"                      # sysfs LED class
//   [leds.heartbeat] chip = "gpiochip0", line = 17     # a GPIO line (active_low = true optional)
// Without a section the defaults are the Pi's own LEDs: status = ACT, heartbeat = PWR.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "hal/led_driver.h"

namespace pifleet::hal {

struct LedSpec {
  enum class Kind { kSysfs, kGpio };
  Kind kind = Kind::kSysfs;
  std::string name;  // kSysfs
  std::string chip;  // kGpio
  uint32_t line = 0;
  bool active_low = false;
};

struct LedConfig {
  std::optional<LedSpec> status;
  std::optional<LedSpec> heartbeat;
};

LedConfig DefaultLedConfig();

// Errors name the key and the reason: "leds.status.line: must be an integer 0..1023".
// `source` names the text in messages (a file path).
Status ParseLedConfig(std::string_view toml_text, const std::string& source, LedConfig* out);
Status LoadLedConfig(const std::string& path, LedConfig* out);

// A driver for one configured LED; sysfs names resolve under sysroot.
Status MakeLedDriver(const LedSpec& spec, const std::string& sysroot,
                     std::unique_ptr<LedDriver>* out);

}  // namespace pifleet::hal
