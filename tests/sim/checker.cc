#include "tests/sim/checker.h"

namespace pifleet::sim {
namespace {
std::string Node(uint64_t node) { return "node " + std::to_string(node); }
}  // namespace

void SafetyChecker::Fail(std::string what) {
  if (violation_.empty()) violation_ = std::move(what);
}

void SafetyChecker::OnApply(uint64_t node, uint64_t applied_before, core::Slot slot,
                            const core::Value& value) {
  if (slot != applied_before + 1) {
    Fail(Node(node) + " applied slot " + std::to_string(slot) + " after slot " +
         std::to_string(applied_before) + " (out of order)");
  }
  auto [it, inserted] = values_.emplace(slot, value);
  if (!inserted && !(it->second == value)) {
    Fail("slot " + std::to_string(slot) + " has two values: " + Node(node) + " applied " +
         std::to_string(value.commands.size()) + " commands, another replica " +
         std::to_string(it->second.commands.size()));
  }
}

void SafetyChecker::OnDigest(uint64_t node, core::Slot slot, uint64_t digest) {
  auto [it, inserted] = digests_.emplace(slot, digest);
  if (!inserted && it->second != digest) {
    Fail(Node(node) + " state after slot " + std::to_string(slot) +
         " differs from another replica's (applied prefixes diverge)");
  }
}

void SafetyChecker::OnPromise(uint64_t node, core::Ballot promised, core::Ballot floor) {
  if (promised < floor) {
    Fail(Node(node) + " promise went back from (" + std::to_string(floor.round) + "," +
         std::to_string(floor.node) + ") to (" + std::to_string(promised.round) + "," +
         std::to_string(promised.node) + ")");
  }
}

}  // namespace pifleet::sim
