// Metrics in the Prometheus text exposition format (version 0.0.4), for `pifleet metrics`,
// node_exporter's textfile collector and the localhost /metrics listener.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pifleet::daemon {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  enum class Type { kCounter, kGauge };

  // Declares a family once; its name must match [a-zA-Z_:][a-zA-Z0-9_:]*.
  void Declare(const std::string& name, Type type, const std::string& help);
  // Sets one sample of a declared family (counters are set to their running total).
  void Set(const std::string& name, const Labels& labels, double value);

  // Families in declaration order, samples sorted by labels: the same state renders the same.
  std::string Render() const;

 private:
  struct Family {
    Type type;
    std::string help;
    std::map<Labels, double> samples;
  };
  std::vector<std::string> order_;
  std::map<std::string, Family> families_;
};

// Escapes a label value: backslash, double quote and newline.
std::string EscapeLabelValue(const std::string& value);

}  // namespace pifleet::daemon
