// The libgpiod 1.6 implementation of GpioLine (Debian bookworm ships 1.6; 2.x changed the API).
#include <gpiod.h>

#include <cerrno>
#include <cstring>

#include "agent/base/assert.h"
#include "hal/gpio_line.h"

namespace pifleet::hal {

namespace {

constexpr const char* kConsumer = "pifleet";

class GpiodLine final : public GpioLine {
 public:
  GpiodLine(std::string chip, uint32_t offset, bool active_low)
      : chip_name_(std::move(chip)), offset_(offset), active_low_(active_low) {}
  ~GpiodLine() override { Release(); }
  GpiodLine(const GpiodLine&) = delete;
  GpiodLine& operator=(const GpiodLine&) = delete;

  Status Request(bool on) override {
    if (line_ != nullptr) return Set(on);
    chip_ = gpiod_chip_open_lookup(chip_name_.c_str());
    if (chip_ == nullptr) return Error("open chip");
    line_ = gpiod_chip_get_line(chip_, offset_);
    if (line_ == nullptr) {
      Status status = Error("get line");
      Release();
      return status;
    }
    const int flags = active_low_ ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
    if (gpiod_line_request_output_flags(line_, kConsumer, flags, on ? 1 : 0) != 0) {
      Status status = Error("request output");
      line_ = nullptr;  // not requested: nothing to release
      Release();
      return status;
    }
    return Status::Ok();
  }

  Status Set(bool on) override {
    PIFLEET_ASSERT_MSG(line_ != nullptr, "Set before Request");
    if (gpiod_line_set_value(line_, on ? 1 : 0) != 0) return Error("set value");
    return Status::Ok();
  }

  void Release() override {
    if (line_ != nullptr) gpiod_line_release(line_);
    line_ = nullptr;
    if (chip_ != nullptr) gpiod_chip_close(chip_);
    chip_ = nullptr;
  }

  std::string Describe() const override {
    return "gpio:" + chip_name_ + ":" + std::to_string(offset_) +
           (active_low_ ? ":active-low" : "");
  }

 private:
  Status Error(const char* what) const {
    return Status::IOError(Describe() + ": " + what + ": " + std::strerror(errno));
  }

  std::string chip_name_;
  uint32_t offset_;
  bool active_low_;
  gpiod_chip* chip_ = nullptr;
  gpiod_line* line_ = nullptr;
};

}  // namespace

std::unique_ptr<GpioLine> MakeGpiodLine(const std::string& chip, uint32_t offset, bool active_low) {
  return std::make_unique<GpiodLine>(chip, offset, active_low);
}

}  // namespace pifleet::hal
