// An LED of the sysfs LED class: /sys/class/leds/<name>/{trigger,brightness,max_brightness,
// delay_on,delay_off}. `cat trigger` lists the triggers with the active one in [brackets].
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hal/led_driver.h"

namespace pifleet::hal {

struct TriggerList {
  std::vector<std::string> available;
  std::string active;  // "" when none is bracketed
};
TriggerList ParseTriggerList(std::string_view text);

class SysfsLed final : public LedDriver {
 public:
  // Opens /sys/class/leds/<name> under sysroot, trying the older name when the new one is
  // missing (ACT -> led0, PWR -> led1), and remembers the LED's trigger and brightness.
  static Status Open(const std::string& sysroot, const std::string& name,
                     std::unique_ptr<SysfsLed>* out);

  Status SetLevel(bool on) override;
  Status HoldBlink(uint32_t on_ms, uint32_t off_ms) override;
  Status Restore() override;
  std::string Describe() const override { return "sysfs:" + dir_; }

  const std::string& saved_trigger() const { return saved_trigger_; }

 private:
  explicit SysfsLed(std::string dir) : dir_(std::move(dir)) {}
  Status LoadState();
  Status SetTrigger(const std::string& trigger);

  std::string dir_;
  std::vector<std::string> triggers_;
  std::string saved_trigger_;
  std::string saved_brightness_;
  std::string saved_delay_on_;
  std::string saved_delay_off_;
  std::string current_trigger_;
  int max_brightness_ = 1;
};

}  // namespace pifleet::hal
