// Random histories from a sequential register (linearizable by construction) must pass; the
// same histories with one read changed to a value nobody wrote must fail.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/sim/lin/linearizability.h"
#include "tests/sim/lin/random_history.h"

namespace pifleet::lin {
namespace {

constexpr uint64_t kBudget = 10'000'000;

// Replaces the output of one completed, successful get (chosen by `seed`) with a value no
// write produced. Returns false if the history has no such get.
bool CorruptOneGet(std::vector<Operation>* history, uint64_t seed) {
  std::vector<size_t> gets;
  for (size_t i = 0; i < history->size(); ++i) {
    const Operation& op = (*history)[i];
    if (op.kind == OpKind::kGet && op.ok && op.return_time != kPending) gets.push_back(i);
  }
  if (gets.empty()) return false;
  std::mt19937_64 rng(seed);
  const size_t pick = gets[std::uniform_int_distribution<size_t>(0, gets.size() - 1)(rng)];
  (*history)[pick].output = "never-written";
  return true;
}

bool IsCompletedWrite(const Operation& op) {
  if (op.return_time == kPending || !op.ok) return false;
  return op.kind == OpKind::kPut || op.kind == OpKind::kDelete || op.kind == OpKind::kCas;
}

// Makes one get return a value that was certainly overwritten before the get began: on the
// get's key, a put P of that value (its only writer) returned before another write W was
// called, and W returned before the get was called. Returns false if there is no such triple.
bool MakeOneGetStale(std::vector<Operation>* history) {
  std::vector<Operation>& h = *history;
  std::map<std::string, int> writers;
  for (const Operation& op : h) {
    if (op.kind == OpKind::kPut || op.kind == OpKind::kCas) ++writers[op.value];
  }
  for (Operation& get : h) {
    if (get.kind != OpKind::kGet || !get.ok || get.return_time == kPending) continue;
    for (const Operation& w : h) {
      if (w.key != get.key || !IsCompletedWrite(w) || w.return_time >= get.call_time) continue;
      for (const Operation& p : h) {
        if (p.key == get.key && p.kind == OpKind::kPut && IsCompletedWrite(p) &&
            p.return_time < w.call_time && writers[p.value] == 1 && p.value != w.value &&
            p.value != get.output) {
          get.output = p.value;
          return true;
        }
      }
    }
  }
  return false;
}

struct Shape {
  int keys;
  int operations;
  int clients;
  int pending_percent;
  int refused_percent;
};

class RandomHistory : public ::testing::TestWithParam<Shape> {};

TEST_P(RandomHistory, GeneratedPassesAndCorruptedFails) {
  const Shape shape = GetParam();
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    testing::RandomHistoryOptions options;
    options.keys = shape.keys;
    options.operations = shape.operations;
    options.clients = shape.clients;
    options.pending_percent = shape.pending_percent;
    options.refused_percent = shape.refused_percent;
    options.seed = seed;
    std::vector<Operation> history = testing::GenerateRandomHistory(options);
    const CheckResult good = CheckHistory(history, kBudget);
    ASSERT_TRUE(good.linearizable) << "seed " << seed << ": " << good.explanation;
    ASSERT_FALSE(good.undecided) << "seed " << seed;

    if (!CorruptOneGet(&history, seed)) continue;
    const CheckResult bad = CheckHistory(history, kBudget);
    ASSERT_FALSE(bad.linearizable) << "seed " << seed;
    ASSERT_FALSE(bad.undecided) << "seed " << seed << ": " << bad.explanation;
    EXPECT_NE(bad.explanation.find("never-written"), std::string::npos) << bad.explanation;

    history = testing::GenerateRandomHistory(options);
    if (!MakeOneGetStale(&history)) continue;
    const CheckResult stale = CheckHistory(history, kBudget);
    ASSERT_FALSE(stale.linearizable) << "seed " << seed;
    ASSERT_FALSE(stale.undecided) << "seed " << seed << ": " << stale.explanation;
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, RandomHistory,
                         ::testing::Values(Shape{1, 20, 2, 0, 0}, Shape{1, 60, 4, 0, 0},
                                           Shape{3, 200, 8, 0, 0}, Shape{2, 200, 6, 5, 0},
                                           Shape{2, 200, 6, 3, 5}, Shape{2, 150, 8, 10, 10},
                                           Shape{2, 500, 5, 2, 5}, Shape{5, 1000, 8, 1, 5}));

// The generator must not be trivially sequential: some operations really overlap.
TEST(RandomHistoryGenerator, IntervalsOverlap) {
  testing::RandomHistoryOptions options;
  options.operations = 200;
  options.clients = 8;
  const std::vector<Operation> history = testing::GenerateRandomHistory(options);
  int overlapping = 0;  // operations that overlap at least one other
  for (size_t i = 0; i < history.size(); ++i) {
    const Operation& a = history[i];
    for (size_t j = 0; j < history.size(); ++j) {
      const Operation& b = history[j];
      if (i != j && b.call_time <= a.return_time && a.call_time <= b.return_time) {
        ++overlapping;
        break;
      }
    }
  }
  EXPECT_GT(overlapping, 150);
}

// 5 keys x 2,000 operations with 8 concurrent clients. The step budget for the linearizable
// history (20 steps per operation) makes this fail if the search degrades; the time is
// printed for the record.
TEST(RandomHistoryScale, TenThousandOperationsFiveKeys) {
  testing::RandomHistoryOptions options;
  options.keys = 5;
  options.operations = 10'000;
  options.clients = 8;
  options.pending_percent = 1;
  options.seed = 4;
  std::vector<Operation> history = testing::GenerateRandomHistory(options);
  const uint64_t budget = 20 * 2'000;
  const auto start = std::chrono::steady_clock::now();
  const CheckResult good = CheckHistory(history, budget);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(good.linearizable) << good.explanation;
  std::printf("checked %zu operations in %.1f ms\n", history.size(),
              std::chrono::duration<double, std::milli>(elapsed).count());

  ASSERT_TRUE(CorruptOneGet(&history, 4));
  const CheckResult bad = CheckHistory(history, kBudget);
  EXPECT_FALSE(bad.linearizable);
  EXPECT_FALSE(bad.undecided) << bad.explanation;
}

}  // namespace
}  // namespace pifleet::lin
