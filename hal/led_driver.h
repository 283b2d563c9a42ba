// One LED, whatever drives it (sysfs LED class or a GPIO line). The controller steps patterns by
// calling SetLevel from the agent's own loop, so a hung agent freezes its LEDs instead of
// showing a healthy blink.
#pragma once

#include <cstdint>
#include <string>

#include "agent/base/status.h"

namespace pifleet::hal {

class LedDriver {
 public:
  virtual ~LedDriver() = default;

  // On or off, now; takes the LED from whatever the kernel was doing with it.
  virtual Status SetLevel(bool on) = 0;

  // A blink that keeps going after this process exits (the stop hook's failure pattern).
  // Only the sysfs timer trigger can do that; other drivers return InvalidArgument.
  virtual Status HoldBlink(uint32_t on_ms, uint32_t off_ms) = 0;

  // Gives the LED back as it was found (its previous trigger and brightness).
  virtual Status Restore() = 0;

  // "sysfs:/sys/class/leds/ACT" or "gpio:gpiochip0:17", for messages.
  virtual std::string Describe() const = 0;
};

}  // namespace pifleet::hal
