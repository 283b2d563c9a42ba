#include "agent/daemon/metrics.h"

#include <gtest/gtest.h>

namespace pifleet::daemon {
namespace {

TEST(Metrics, RendersPrometheusTextFormat) {
  Metrics metrics;
  metrics.Declare("pifleet_wire_dropped_total", Metrics::Type::kCounter,
                  "Datagrams dropped, by reason.");
  metrics.Declare("pifleet_applied_slot", Metrics::Type::kGauge, "Highest applied slot.");
  metrics.Set("pifleet_wire_dropped_total", {{"reason", "replay"}}, 3);
  metrics.Set("pifleet_wire_dropped_total", {{"reason", "auth_failed"}}, 12);
  metrics.Set("pifleet_applied_slot", {}, 1234567);
  EXPECT_EQ(metrics.Render(),
            "# HELP pifleet_wire_dropped_total Datagrams dropped, by reason.\n"
            "# TYPE pifleet_wire_dropped_total counter\n"
            "pifleet_wire_dropped_total{reason=\"auth_failed\"} 12\n"
            "pifleet_wire_dropped_total{reason=\"replay\"} 3\n"
            "# HELP pifleet_applied_slot Highest applied slot.\n"
            "# TYPE pifleet_applied_slot gauge\n"
            "pifleet_applied_slot 1234567\n");
}

TEST(Metrics, EscapesLabelValuesAndFormatsFractions) {
  Metrics metrics;
  metrics.Declare("pifleet_temperature_celsius", Metrics::Type::kGauge, "SoC temperature.");
  metrics.Set("pifleet_temperature_celsius", {{"zone", "cpu \"0\"\\\n"}}, 61.25);
  EXPECT_NE(metrics.Render().find("{zone=\"cpu \\\"0\\\"\\\\\\n\"} 61.25\n"), std::string::npos);
}

TEST(Metrics, PrintsEveryIntegerADoubleHoldsExactly) {
  Metrics metrics;
  metrics.Declare("pifleet_applied_slot_unix_microseconds", Metrics::Type::kGauge, "When.");
  metrics.Set("pifleet_applied_slot_unix_microseconds", {}, 1764520212345678.0);
  EXPECT_NE(metrics.Render().find("pifleet_applied_slot_unix_microseconds 1764520212345678\n"),
            std::string::npos);
  metrics.Set("pifleet_applied_slot_unix_microseconds", {}, 18014398509481984.0);  // 2^54
  EXPECT_NE(metrics.Render().find("pifleet_applied_slot_unix_microseconds 1.80143985e+16\n"),
            std::string::npos);
}

TEST(MetricsDeathTest, UndeclaredOrBadlyNamedMetricsAreProgrammerErrors) {
  Metrics metrics;
  EXPECT_DEATH(metrics.Set("nope", {}, 1), "declared");
  EXPECT_DEATH(metrics.Declare("9starts_with_digit", Metrics::Type::kGauge, "x"), "metric names");
}

}  // namespace
}  // namespace pifleet::daemon
