#include "tests/sim/lin/random_history.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <tuple>

namespace pifleet::lin::testing {
namespace {

struct Planned {
  Operation op;
  bool takes_effect = true;
  int64_t effect_time = 0;  // inside [call, return], or any time after call when pending
};

// "k3". Formatted with snprintf: GCC 12 at -O3 reports a false -Wrestrict on "k" + string.
std::string Numbered(char prefix, int64_t n) {
  char text[32];
  std::snprintf(text, sizeof(text), "%c%lld", prefix, static_cast<long long>(n));
  return text;
}

class Generator {
 public:
  explicit Generator(const RandomHistoryOptions& options) : options_(options), rng_(options.seed) {}

  std::vector<Operation> Run() {
    std::vector<int64_t> free_at(static_cast<size_t>(options_.clients), 0);
    std::vector<uint64_t> client_ids(free_at.size());
    for (size_t c = 0; c < client_ids.size(); ++c) client_ids[c] = c + 1;
    uint64_t next_client_id = client_ids.size() + 1;
    for (int i = 0; i < options_.operations; ++i) {
      const size_t c = Uniform(0, options_.clients - 1);
      Planned p = Plan(client_ids[c], free_at[c]);
      if (p.op.return_time == kPending) {
        client_ids[c] = next_client_id++;  // the crashed client never issues again
        free_at[c] = p.op.call_time + 1;
      } else {
        free_at[c] = p.op.return_time + 1;
      }
      planned_.push_back(std::move(p));
    }
    ApplyInEffectOrder();
    std::vector<Operation> history;
    for (const Planned& p : planned_) history.push_back(p.op);
    return history;
  }

 private:
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool Percent(int percent) { return Uniform(0, 99) < percent; }

  Planned Plan(uint64_t client_id, int64_t free_at) {
    Planned p;
    Operation& op = p.op;
    op.client_id = client_id;
    op.key = Numbered('k', Uniform(0, options_.keys - 1));
    const int64_t dice = Uniform(0, 99);
    op.kind = dice < 35   ? OpKind::kPut
              : dice < 70 ? OpKind::kGet
              : dice < 90 ? OpKind::kCas
                          : OpKind::kDelete;
    op.value = Numbered('v', static_cast<int64_t>(planned_.size()));  // every write is unique
    op.expected = PickExpected(op.key);
    op.call_time = free_at + Uniform(0, 5);
    p.effect_time = op.call_time + Uniform(0, 20);
    op.return_time = p.effect_time + Uniform(0, 20);
    if (op.kind == OpKind::kPut || op.kind == OpKind::kCas) written_[op.key].push_back(op.value);
    if (Percent(options_.pending_percent)) {
      op.return_time = kPending;
      p.effect_time += Uniform(0, 200);  // a lost reply: effect may come much later
      p.takes_effect = Percent(50);
      op.ok = Percent(50);  // ignored by the checker: make sure it is
      op.output = "garbage";
    } else if (op.kind != OpKind::kCas && Percent(options_.refused_percent)) {
      op.ok = false;
      p.takes_effect = false;
      op.output = "garbage";
    }
    return p;
  }

  // Usually the latest value written to the key (so cas often succeeds), else an older one.
  std::string PickExpected(const std::string& key) {
    const std::vector<std::string>& values = written_[key];
    if (values.empty() || Percent(20)) return "";
    if (Percent(60)) return values.back();
    return values[static_cast<size_t>(Uniform(0, static_cast<int64_t>(values.size()) - 1))];
  }

  void ApplyInEffectOrder() {
    std::vector<std::tuple<int64_t, size_t>> order;
    for (size_t i = 0; i < planned_.size(); ++i) {
      if (planned_[i].takes_effect) order.emplace_back(planned_[i].effect_time, i);
    }
    std::sort(order.begin(), order.end());
    std::map<std::string, std::string> registers;
    for (const auto& [time, i] : order) {
      Operation& op = planned_[i].op;
      std::string& reg = registers[op.key];
      const bool pending = op.return_time == kPending;
      switch (op.kind) {
        case OpKind::kPut:
          reg = op.value;
          break;
        case OpKind::kDelete:
          reg.clear();
          break;
        case OpKind::kGet:
          if (!pending) op.output = reg;
          break;
        case OpKind::kCas:
          if (!pending) op.ok = reg == op.expected;
          if (reg == op.expected) reg = op.value;
          break;
      }
    }
  }

  RandomHistoryOptions options_;
  std::mt19937_64 rng_;
  std::vector<Planned> planned_;
  std::map<std::string, std::vector<std::string>> written_;
};

}  // namespace

std::vector<Operation> GenerateRandomHistory(const RandomHistoryOptions& options) {
  return Generator(options).Run();
}

}  // namespace pifleet::lin::testing
