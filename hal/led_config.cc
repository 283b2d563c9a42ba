#include "hal/led_config.h"

#include <toml++/toml.h>

#include "agent/base/assert.h"
#include "agent/base/toml_text.h"
#include "hal/constants.h"
#include "hal/gpiod_led.h"
#include "hal/sysfs_file.h"
#include "hal/sysfs_led.h"

namespace pifleet::hal {

LedConfig DefaultLedConfig() {
  LedConfig out;
  out.status = LedSpec{LedSpec::Kind::kSysfs, "ACT", "", 0, false};
  out.heartbeat = LedSpec{LedSpec::Kind::kSysfs, "PWR", "", 0, false};
  return out;
}

namespace {

Status Bad(const std::string& source, const std::string& key, const std::string& reason) {
  return Status::InvalidArgument(source + ": " + key + ": " + reason);
}

Status ParseOne(const toml::table& table, const std::string& source, const std::string& key,
                LedSpec* out) {
  for (const auto& [field, node] : table) {
    const std::string_view f = field.str();
    if (f != "name" && f != "chip" && f != "line" && f != "active_low") {
      return Bad(source, key + "." + std::string(f),
                 "unknown key (expected name, or chip + line [+ active_low])");
    }
    (void)node;
  }
  const bool has_name = table.contains("name");
  const bool has_chip = table.contains("chip") || table.contains("line");
  if (has_name == has_chip) {
    return Bad(source, key, "give either name = \"ACT\" or chip = \"gpiochip0\" and line = N");
  }
  if (has_name) {
    const auto name = table["name"].value<std::string>();
    if (!name || name->empty() || name->find('/') != std::string::npos) {
      return Bad(source, key + ".name", "must be a /sys/class/leds entry such as \"ACT\"");
    }
    *out = LedSpec{LedSpec::Kind::kSysfs, *name, "", 0, false};
    return Status::Ok();
  }
  const auto chip = table["chip"].value<std::string>();
  if (!chip || chip->empty()) return Bad(source, key + ".chip", "must be a string like gpiochip0");
  const auto* line = table["line"].as_integer();
  if (line == nullptr || line->get() < 0 || line->get() > kGpioLineMax) {
    return Bad(source, key + ".line", "must be an integer 0.." + std::to_string(kGpioLineMax));
  }
  bool active_low = false;
  if (table.contains("active_low")) {
    const auto* flag = table["active_low"].as_boolean();
    if (flag == nullptr) return Bad(source, key + ".active_low", "must be true or false");
    active_low = flag->get();
  }
  *out = LedSpec{LedSpec::Kind::kGpio, "", *chip, static_cast<uint32_t>(line->get()), active_low};
  return Status::Ok();
}

}  // namespace

Status ParseLedConfig(std::string_view toml_text, const std::string& source, LedConfig* out) {
  PIFLEET_ASSERT(out != nullptr);
  if (Status status = CheckTomlNonAsciiPlacement(toml_text, source); !status.ok()) return status;
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument(source + ":" + std::to_string(where.line) + ":" +
                                   std::to_string(where.column) + ": " +
                                   std::string(e.description()));
  }
  LedConfig config = DefaultLedConfig();
  const toml::node* leds = root.get("leds");
  if (leds != nullptr) {
    const toml::table* table = leds->as_table();
    if (table == nullptr) return Bad(source, "leds", "must be a table");
    for (const auto& [field, node] : *table) {
      const std::string key = "leds." + std::string(field.str());
      std::optional<LedSpec>* slot = field.str() == "status"      ? &config.status
                                     : field.str() == "heartbeat" ? &config.heartbeat
                                                                  : nullptr;
      if (slot == nullptr) return Bad(source, key, "unknown LED (expected status or heartbeat)");
      if (!node.is_table()) return Bad(source, key, "must be a table");
      LedSpec spec;
      Status status = ParseOne(*node.as_table(), source, key, &spec);
      if (!status.ok()) return status;
      *slot = spec;
    }
  }
  *out = std::move(config);
  return Status::Ok();
}

Status LoadLedConfig(const std::string& path, LedConfig* out) {
  const auto text = ReadFile(path);
  if (!text) return Status::NotFound(path + ": cannot read the configuration file");
  return ParseLedConfig(*text, path, out);
}

Status MakeLedDriver(const LedSpec& spec, const std::string& sysroot,
                     std::unique_ptr<LedDriver>* out) {
  PIFLEET_ASSERT(out != nullptr);
  if (spec.kind == LedSpec::Kind::kGpio) {
    *out = std::make_unique<GpiodLed>(MakeGpiodLine(spec.chip, spec.line, spec.active_low));
    return Status::Ok();
  }
  std::unique_ptr<SysfsLed> led;
  Status status = SysfsLed::Open(sysroot, spec.name, &led);
  if (status.ok()) *out = std::move(led);
  return status;
}

}  // namespace pifleet::hal
