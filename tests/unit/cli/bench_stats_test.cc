#include "agent/cli/bench_stats.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace pifleet::cli {
namespace {

TEST(BenchStats, PercentileIsTheNearestRank) {
  std::vector<uint32_t> micros;
  for (uint32_t i = 1; i <= 100; ++i) micros.push_back(i * 1000);  // 1 ms .. 100 ms
  EXPECT_DOUBLE_EQ(PercentileMs(micros, 0.50), 50.0);
  EXPECT_DOUBLE_EQ(PercentileMs(micros, 0.99), 99.0);
  EXPECT_DOUBLE_EQ(PercentileMs(micros, 1.0), 100.0);
  EXPECT_DOUBLE_EQ(PercentileMs(micros, 0.001), 1.0);  // never below the smallest value
  EXPECT_DOUBLE_EQ(PercentileMs({1500}, 0.99), 1.5);
  EXPECT_DOUBLE_EQ(PercentileMs({1000, 2000, 3000, 4000}, 0.50), 2.0);
  EXPECT_DOUBLE_EQ(PercentileMs({}, 0.50), 0.0);
}

TEST(BenchStats, SummarizeSortsAndDividesByTheMeasuredTime) {
  const BenchSummary s = Summarize(4, {900, 100, 500, 300}, 2, 2.0);
  EXPECT_EQ(s.clients, 4u);
  EXPECT_EQ(s.ops, 4u);
  EXPECT_EQ(s.errors, 2u);
  EXPECT_DOUBLE_EQ(s.throughput_per_s, 2.0);
  EXPECT_DOUBLE_EQ(s.p50_ms, 0.3);
  EXPECT_DOUBLE_EQ(s.p99_ms, 0.9);
  EXPECT_DOUBLE_EQ(s.max_ms, 0.9);
}

// The --json line is issue 20's contract: these fields, in this order, on one line.
TEST(BenchStats, JsonLineHasTheContractsFieldsInOrder) {
  const std::string line = BenchJson(Summarize(16, {1234, 2345, 3456}, 0, 1.5));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line, R"({"clients":16,"ops":3,"throughput_per_s":2.0,"p50_ms":2.345,"p99_ms":3.456,)"
                  R"("errors":0})");
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed.size(), 6u);
}

TEST(BenchStats, KeysAreDistinctAndSized) {
  std::set<std::string> keys;
  for (uint32_t client = 0; client < 40; ++client) {
    for (uint64_t sequence = 0; sequence < 50; ++sequence) {
      const std::string key = BenchKey(client, sequence, 16);
      EXPECT_EQ(key.size(), 16u) << key;
      keys.insert(key);
    }
  }
  EXPECT_EQ(keys.size(), 2000u);
  EXPECT_EQ(BenchKey(3, 7, 40).size(), 40u);
  EXPECT_EQ(BenchKey(1023, 9999999999ULL, 16), "b010239999999999");
}

TEST(BenchStats, OptionsInsideTheirBoundsPass) {
  EXPECT_TRUE(CheckBenchPutOptions(BenchPutOptions{}).ok());
  EXPECT_TRUE(CheckBenchPutOptions({1, 1, kBenchKeyBytesMin, 0}).ok());
  EXPECT_TRUE(CheckBenchPutOptions({kBenchClientsMax, kBenchDurationSMax, 1024, 65536}).ok());
}

TEST(BenchStats, OptionsOutsideTheirBoundsNameTheFlag) {
  const struct {
    BenchPutOptions options;
    const char* flag;
  } cases[] = {
      {{0, 10, 16, 256}, "--clients 0"},
      {{kBenchClientsMax + 1, 10, 16, 256}, "--clients 1025"},
      {{4, 0, 16, 256}, "--duration-s 0"},
      {{4, kBenchDurationSMax + 1, 16, 256}, "--duration-s 3601"},
      {{4, 10, kBenchKeyBytesMin - 1, 256}, "--key-bytes 15"},
      {{4, 10, 1025, 256}, "--key-bytes 1025"},
      {{4, 10, 16, 65537}, "--value-bytes 65537"},
  };
  for (const auto& c : cases) {
    const Status status = CheckBenchPutOptions(c.options);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << c.flag;
    EXPECT_NE(status.message().find(c.flag), std::string::npos) << status.message();
  }
}

}  // namespace
}  // namespace pifleet::cli
