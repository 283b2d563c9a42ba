#include "hal/sysfs_led.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "agent/base/assert.h"
#include "hal/sysfs_file.h"

namespace pifleet::hal {

TriggerList ParseTriggerList(std::string_view text) {
  TriggerList out;
  text = Trim(text);
  while (!text.empty()) {
    const auto space = text.find(' ');
    std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : Trim(text.substr(space + 1));
    if (word.size() > 2 && word.front() == '[' && word.back() == ']') {
      word = word.substr(1, word.size() - 2);
      out.active = std::string(word);
    }
    if (!word.empty()) out.available.emplace_back(word);
  }
  return out;
}

namespace {

// Names the notes list for older kernels and firmware (notes/raspberry-pi.md §4).
std::string_view LegacyName(std::string_view name) {
  if (name == "ACT") return "led0";
  if (name == "PWR") return "led1";
  return {};
}

}  // namespace

Status SysfsLed::Open(const std::string& sysroot, const std::string& name,
                      std::unique_ptr<SysfsLed>* out) {
  PIFLEET_ASSERT(out != nullptr);
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return Status::InvalidArgument("LED name '" + name + "' is not a /sys/class/leds entry");
  }
  std::string dir = JoinSysroot(sysroot, "sys/class/leds/" + name);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec) && !LegacyName(name).empty()) {
    dir = JoinSysroot(sysroot, "sys/class/leds/" + std::string(LegacyName(name)));
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::NotFound("no LED '" + name + "' under " +
                            JoinSysroot(sysroot, "sys/class/leds"));
  }
  std::unique_ptr<SysfsLed> led(new SysfsLed(dir));
  Status status = led->LoadState();
  if (!status.ok()) return status;
  *out = std::move(led);
  return Status::Ok();
}

Status SysfsLed::LoadState() {
  const auto trigger = ReadFile(dir_ + "/trigger");
  const auto brightness = ReadLine(dir_ + "/brightness");
  if (!trigger || !brightness) {
    return Status::IOError(dir_ + ": cannot read trigger and brightness");
  }
  TriggerList list = ParseTriggerList(*trigger);
  triggers_ = std::move(list.available);
  saved_trigger_ = list.active.empty() ? "none" : list.active;
  current_trigger_ = saved_trigger_;
  saved_brightness_ = *brightness;
  saved_delay_on_ = ReadLine(dir_ + "/delay_on").value_or("");
  saved_delay_off_ = ReadLine(dir_ + "/delay_off").value_or("");
  const auto max = ReadInt(dir_ + "/max_brightness");
  max_brightness_ = max && *max > 0 && *max <= 0xFFFF ? static_cast<int>(*max) : 1;
  return Status::Ok();
}

Status SysfsLed::SetTrigger(const std::string& trigger) {
  if (trigger == current_trigger_) return Status::Ok();
  if (std::find(triggers_.begin(), triggers_.end(), trigger) == triggers_.end()) {
    return Status::NotFound(dir_ + ": trigger '" + trigger + "' is not available" +
                            (trigger == "timer" ? " (load the ledtrig-timer module)" : ""));
  }
  Status status = WriteFile(dir_ + "/trigger", trigger);
  if (status.ok()) current_trigger_ = trigger;
  return status;
}

Status SysfsLed::SetLevel(bool on) {
  Status status = SetTrigger("none");
  if (!status.ok()) return status;
  return WriteFile(dir_ + "/brightness", on ? std::to_string(max_brightness_) : "0");
}

Status SysfsLed::HoldBlink(uint32_t on_ms, uint32_t off_ms) {
  Status status = SetTrigger("timer");
  if (!status.ok()) return status;
  // The timer trigger creates delay_on/delay_off when it attaches.
  status = WriteFile(dir_ + "/delay_on", std::to_string(on_ms));
  if (!status.ok()) return status;
  return WriteFile(dir_ + "/delay_off", std::to_string(off_ms));
}

Status SysfsLed::Restore() {
  Status status = SetTrigger(saved_trigger_);
  if (!status.ok()) return status;
  if (saved_trigger_ == "none") return WriteFile(dir_ + "/brightness", saved_brightness_);
  if (saved_trigger_ == "timer" && !saved_delay_on_.empty() && !saved_delay_off_.empty()) {
    status = WriteFile(dir_ + "/delay_on", saved_delay_on_);
    if (!status.ok()) return status;
    return WriteFile(dir_ + "/delay_off", saved_delay_off_);
  }
  return Status::Ok();
}

}  // namespace pifleet::hal
