#include "hal/gpiod_led.h"

#include "agent/base/assert.h"

namespace pifleet::hal {

GpiodLed::GpiodLed(std::unique_ptr<GpioLine> line) : line_(std::move(line)) {
  PIFLEET_ASSERT(line_ != nullptr);
}

GpiodLed::~GpiodLed() {
  if (requested_) line_->Release();
}

Status GpiodLed::SetLevel(bool on) {
  if (requested_) return line_->Set(on);
  Status status = line_->Request(on);
  requested_ = status.ok();
  return status;
}

Status GpiodLed::HoldBlink(uint32_t /*on_ms*/, uint32_t /*off_ms*/) {
  return Status::InvalidArgument(Describe() +
                                 ": a GPIO line cannot keep blinking after pifleet exits; use a "
                                 "sysfs LED (gpio-leds overlay) for the stop hook's pattern");
}

Status GpiodLed::Restore() {
  if (!requested_) return Status::Ok();
  Status status = line_->Set(false);
  line_->Release();
  requested_ = false;
  return status;
}

}  // namespace pifleet::hal
