#include "tests/sim/lin/explanation.h"

#include <cstdio>

#include "agent/base/assert.h"

namespace pifleet::lin {

std::string DescribeOperation(const Operation& op) {
  std::string text = "client " + std::to_string(op.client_id) + " " + OpKindName(op.kind);
  const bool pending = op.return_time == kPending;
  switch (op.kind) {
    case OpKind::kPut:
      text.append(" ").append(internal::QuoteValue(op.value));
      break;
    case OpKind::kGet:
      if (!pending) text.append(" -> ").append(internal::QuoteValue(op.output));
      break;
    case OpKind::kCas:
      text.append(" ").append(internal::QuoteValue(op.expected));
      text.append(" -> ").append(internal::QuoteValue(op.value));
      if (!pending) text += op.ok ? " ok" : " failed";
      break;
    case OpKind::kDelete:
      break;
  }
  if (!pending && !op.ok && op.kind != OpKind::kCas) text += " refused";
  text += " [" + std::to_string(op.call_time) + ", " +
          (pending ? std::string("pending") : std::to_string(op.return_time)) + "]";
  return text;
}

namespace internal {
namespace {

// The register's value after `order`, replayed on the real strings (the search's value ids
// merge values nobody read).
std::string ReplayValue(const std::vector<Operation>& history, const std::vector<KeyOp>& ops,
                        const std::vector<int32_t>& order) {
  std::string value;
  for (const int32_t i : order) {
    const Operation& op = history[ops[static_cast<size_t>(i)].source_index];
    if (op.kind == OpKind::kPut) value = op.value;
    if (op.kind == OpKind::kDelete) value.clear();
    // A pending cas took effect iff it matched; a completed one iff it succeeded.
    if (op.kind == OpKind::kCas && (op.return_time == kPending ? value == op.expected : op.ok)) {
      value = op.value;
    }
  }
  return value;
}

// Why `op` cannot take effect when the register holds `state`; only gets and cas can fail.
std::string WhyIllegal(const Operation& op, const std::string& state) {
  if (op.kind == OpKind::kGet) {
    return "it read " + QuoteValue(op.output) + " but the register holds " + QuoteValue(state);
  }
  PIFLEET_ASSERT(op.kind == OpKind::kCas);
  if (op.ok) {
    return "its compare needs " + QuoteValue(op.expected) + " but the register holds " +
           QuoteValue(state);
  }
  return "it failed although the register holds the expected " + QuoteValue(state);
}

std::string ExplainNotLinearizable(const std::vector<Operation>& history,
                                   const std::vector<KeyOp>& ops, const SearchOutcome& outcome) {
  PIFLEET_ASSERT(outcome.blocking_op >= 0);
  std::string text = "no order of its " + std::to_string(ops.size()) +
                     " operations agrees with a register and with real time.\n";
  const size_t depth = outcome.deepest_order.size();
  const size_t shown_from = depth > kExplanationOpsMax ? depth - kExplanationOpsMax : 0;
  text += "Longest consistent order found: " + std::to_string(depth) + " operations";
  text += shown_from > 0 ? " (the last " + std::to_string(depth - shown_from) + " shown):\n"
                         : (depth > 0 ? ":\n" : ".\n");
  for (size_t i = shown_from; i < depth; ++i) {
    const KeyOp& k = ops[static_cast<size_t>(outcome.deepest_order[i])];
    text += "  " + std::to_string(i + 1) + ". " + DescribeOperation(history[k.source_index]) + "\n";
  }
  const KeyOp& blocked = ops[static_cast<size_t>(outcome.blocking_op)];
  const Operation& op = history[blocked.source_index];
  const std::string state = ReplayValue(history, ops, outcome.deepest_order);
  const bool tried = [&] {
    ValueId next = kAbsent;
    return StepRegister(blocked, outcome.deepest_state, &next);
  }();
  text += "Then the register holds " + QuoteValue(state) + ", and " + DescribeOperation(op) +
          " must take effect by time " + std::to_string(op.return_time) + " but cannot: ";
  text += tried ? "every order that lets it take effect here was already tried and fails later"
                : WhyIllegal(op, state);
  return text + ".";
}

}  // namespace

std::string QuoteValue(const std::string& value) {
  return value.empty() ? "(absent)" : QuoteString(value);
}

std::string QuoteString(const std::string& value) {
  std::string out = "\"";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof(hex), "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Explain(const std::vector<Operation>& history, const std::vector<KeyOp>& ops,
                    const SearchOutcome& outcome, uint64_t step_budget) {
  PIFLEET_ASSERT(!ops.empty());  // an empty key history is always linearizable
  const std::string key = "key " + QuoteString(history[ops[0].source_index].key);
  if (outcome.verdict == Verdict::kNotLinearizable) {
    return key + ": " + ExplainNotLinearizable(history, ops, outcome);
  }
  PIFLEET_ASSERT(outcome.verdict == Verdict::kUndecided);
  std::string text = key + ": undecided after " + std::to_string(outcome.steps) +
                     " search steps over " + std::to_string(ops.size()) + " operations";
  if (outcome.cache_full) return text + ": the memoisation cache reached its bound.";
  return text + ": the step budget of " + std::to_string(step_budget) + " ran out.";
}

}  // namespace internal
}  // namespace pifleet::lin
