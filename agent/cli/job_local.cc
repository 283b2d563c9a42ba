#include "agent/cli/job_local.h"

#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/daemon/job_runner.h"
#include "agent/sm/job_commands.h"

namespace pifleet::cli {
namespace {

constexpr uint64_t kProgressSteps = 100;  // progress on a terminal: every 1 % of the items

struct BuiltinRun {
  uint64_t first = 0;
  uint64_t end = 0;
  uint64_t rounds = 1;
  bool json = false;
};

// XORs one hex digest into another of the same length (the fold of Sha256Items is a XOR, so
// chunks combine into the digest of the whole range).
void XorHex(std::string* into, const std::string& hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < into->size() && i < hex.size(); ++i) {
    (*into)[i] = kHex[nibble((*into)[i]) ^ nibble(hex[i])];
  }
}

int RunBuiltin(const BuiltinRun& run) {
  const bool tty = isatty(STDERR_FILENO) != 0 && !run.json;
  const uint64_t total = run.end - run.first;
  const uint64_t step = std::max<uint64_t>(1, total / kProgressSteps);
  const std::atomic<bool> never_stop{false};
  std::string digest(64, '0');
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t at = run.first; at < run.end; at += std::min(step, run.end - at)) {
    const uint64_t to = at + std::min(step, run.end - at);
    XorHex(&digest, daemon::Sha256Items(at, to, run.rounds, never_stop).value_or(""));
    if (tty) std::fprintf(stderr, "\r%3.0f%%", 100.0 * static_cast<double>(to - run.first) / total);
  }
  if (tty) std::fprintf(stderr, "\r    \r");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double per_s = seconds > 0 ? static_cast<double>(total) / seconds : 0;
  const auto ms = static_cast<uint64_t>(seconds * 1000.0);
  if (run.json) {
    nlohmann::ordered_json j = {
        {"builtin", "sha256"}, {"start", run.first},   {"end", run.end},  {"rounds", run.rounds},
        {"duration_ms", ms},   {"items_per_s", per_s}, {"digest", digest}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("sha256, %llu rounds, items [%llu, %llu): %llu ms, %.1f items/s\ndigest %s\n",
                static_cast<unsigned long long>(run.rounds),
                static_cast<unsigned long long>(run.first),
                static_cast<unsigned long long>(run.end), static_cast<unsigned long long>(ms),
                per_s, digest.c_str());
  }
  return kExitOk;
}

}  // namespace

bool ParseItems(const std::string& text, uint64_t* first, uint64_t* end) {
  const size_t dots = text.find("..");
  if (dots == std::string::npos) return false;
  uint64_t a = 0, b = 0;
  const char* p = text.data();
  auto [pa, ea] = std::from_chars(p, p + dots, a);
  auto [pb, eb] = std::from_chars(p + dots + 2, p + text.size(), b);
  if (ea != std::errc() || pa != p + dots || eb != std::errc() || pb != p + text.size() || b < a ||
      b == UINT64_MAX) {
    return false;
  }
  *first = a;
  *end = b + 1;
  return true;
}

void InstallJobRunBuiltin(CLI::App& job, Context& context) {
  auto run = std::make_shared<BuiltinRun>();
  auto items = std::make_shared<std::string>();
  auto builtin = std::make_shared<std::string>("sha256");
  auto* cmd = job.add_subcommand(
      "run-builtin",
      "Run the builtin workload here, without a cluster: this machine's speed at it, and the "
      "digest that a job's chunk outputs XOR to");
  cmd->add_option("--builtin", *builtin, "Workload")
      ->capture_default_str()
      ->check(CLI::IsMember({"sha256"}));
  cmd->add_option("--items", *items, "Items A..B, inclusive")->required();
  cmd->add_option("--rounds", run->rounds, "sha256 rounds per item")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, sm::kJobRoundsMax));
  cmd->add_flag("--json", run->json,
                "One JSON object: start, end, rounds, duration_ms, "
                "items_per_s, digest");
  cmd->callback([run, items, builtin, &context] {
    if (!ParseItems(*items, &run->first, &run->end)) {
      context.exit_code = kExitUsage;
      std::fprintf(stderr, "pifleet job run-builtin: --items must be A..B with A <= B\n");
      return;
    }
    context.exit_code = RunBuiltin(*run);
  });
}

}  // namespace pifleet::cli
