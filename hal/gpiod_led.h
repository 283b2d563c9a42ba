// An LED on a GPIO line (libgpiod behind GpioLine). The line is claimed on first use and
// released on Restore, driven off: a GPIO has no kernel trigger to give back.
#pragma once

#include <memory>

#include "hal/gpio_line.h"
#include "hal/led_driver.h"

namespace pifleet::hal {

class GpiodLed final : public LedDriver {
 public:
  explicit GpiodLed(std::unique_ptr<GpioLine> line);
  ~GpiodLed() override;

  Status SetLevel(bool on) override;
  // A GPIO line cannot blink once this process is gone: InvalidArgument.
  Status HoldBlink(uint32_t on_ms, uint32_t off_ms) override;
  Status Restore() override;
  std::string Describe() const override { return line_->Describe(); }

 private:
  std::unique_ptr<GpioLine> line_;
  bool requested_ = false;
};

}  // namespace pifleet::hal
