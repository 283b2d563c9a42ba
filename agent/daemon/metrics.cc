#include "agent/daemon/metrics.h"

#include <cmath>
#include <cstdio>

#include "agent/base/assert.h"

namespace pifleet::daemon {
namespace {

bool ValidName(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char text[32];
  // Every integer a double holds exactly (below 2^53) prints exactly: a microsecond timestamp
  // (1.8e15 today) must not lose its last digits to %.9g.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    std::snprintf(text, sizeof(text), "%.0f", value);
  } else {
    std::snprintf(text, sizeof(text), "%.9g", value);
  }
  return text;
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

void Metrics::Declare(const std::string& name, Type type, const std::string& help) {
  PIFLEET_ASSERT_MSG(ValidName(name), "metric names are [a-zA-Z_:][a-zA-Z0-9_:]*");
  if (families_.count(name)) return;
  order_.push_back(name);
  families_[name] = Family{type, help, {}};
}

void Metrics::Set(const std::string& name, const Labels& labels, double value) {
  auto it = families_.find(name);
  PIFLEET_ASSERT_MSG(it != families_.end(), "metric set before it was declared");
  for (const auto& label : labels) PIFLEET_ASSERT(ValidName(label.first));
  it->second.samples[labels] = value;
}

std::string Metrics::Render() const {
  std::string out;
  for (const std::string& name : order_) {
    const Family& family = families_.at(name);
    out += "# HELP " + name + " " + family.help + "\n";
    out += "# TYPE " + name + (family.type == Type::kCounter ? " counter\n" : " gauge\n");
    for (const auto& [labels, value] : family.samples) {
      out += name;
      if (!labels.empty()) {
        out += "{";
        for (size_t i = 0; i < labels.size(); ++i) {
          if (i > 0) out += ",";
          out += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
        }
        out += "}";
      }
      out += " " + FormatValue(value) + "\n";
    }
  }
  return out;
}

}  // namespace pifleet::daemon
