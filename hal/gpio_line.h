// One output GPIO line. The small seam between the LED driver and libgpiod, so the driver is
// tested against a double and libgpiod's API stays in gpiod_line.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "agent/base/status.h"

namespace pifleet::hal {

class GpioLine {
 public:
  virtual ~GpioLine() = default;
  // Claims the line as an output driven to `on` (logical level; active-low is the line's job).
  virtual Status Request(bool on) = 0;
  virtual Status Set(bool on) = 0;
  // Gives the line back to the kernel; a no-op when not requested.
  virtual void Release() = 0;
  virtual std::string Describe() const = 0;
};

// libgpiod 1.6: `chip` is anything gpiod_chip_open_lookup takes ("gpiochip0", "/dev/gpiochip0",
// a label or a number).
std::unique_ptr<GpioLine> MakeGpiodLine(const std::string& chip, uint32_t offset, bool active_low);

}  // namespace pifleet::hal
