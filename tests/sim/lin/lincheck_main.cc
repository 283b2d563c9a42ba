// `pifleet-lincheck FILE [--json] [--budget STEPS]`: checks a recorded client history (format:
// history_file.h, docs/linearizability.md) for linearizability.
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tests/sim/lin/history_file.h"
#include "tests/sim/lin/linearizability.h"

namespace {

enum ExitCode : int {
  kExitLinearizable = 0,
  kExitNotLinearizable = 1,
  kExitUsage = 2,  // bad flags, or the file cannot be read or parsed
  kExitUndecided = 3,
};

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20) {
      char hex[7];
      std::snprintf(hex, sizeof(hex), "\\u%04x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

const char* Verdict(const pifleet::lin::CheckResult& result) {
  if (result.undecided) return "undecided";
  return result.linearizable ? "linearizable" : "not_linearizable";
}

void Print(const pifleet::lin::CheckResult& result, size_t operations, size_t keys, bool json) {
  if (json) {
    std::printf("{\"result\":\"%s\",\"operations\":%zu,\"keys\":%zu", Verdict(result), operations,
                keys);
    if (!result.linearizable) {
      std::printf(",\"key\":%s,\"explanation\":%s", JsonString(result.key).c_str(),
                  JsonString(result.explanation).c_str());
    }
    std::printf("}\n");
    return;
  }
  std::printf("%s: %zu operations on %zu keys\n", Verdict(result), operations, keys);
  if (!result.linearizable) std::printf("%s\n", result.explanation.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Checks a recorded client history for linearizability (per-key register model)."};
  std::string path;
  bool json = false;
  uint64_t budget = pifleet::lin::kDefaultStepBudget;
  app.add_option("FILE", path, "History file, one operation per line")->required();
  app.add_flag("--json", json, "Print one JSON object instead of text");
  app.add_option("--budget", budget, "Search steps allowed per key before giving up")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.footer(
      "Exit codes: 0 linearizable, 1 not linearizable, 2 usage or unreadable file, "
      "3 undecided (budget ran out). Docs: docs/linearizability.md");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitLinearizable : kExitUsage;
  }

  std::vector<pifleet::lin::Operation> history;
  const pifleet::Status status = pifleet::lin::ReadHistoryFile(path, &history);
  if (!status.ok()) {
    std::fprintf(stderr, "pifleet-lincheck: %s\n", status.message().c_str());
    return kExitUsage;
  }
  std::set<std::string> keys;
  for (const auto& op : history) keys.insert(op.key);
  const pifleet::lin::CheckResult result = pifleet::lin::CheckHistory(history, budget);
  Print(result, history.size(), keys.size(), json);
  if (result.undecided) return kExitUndecided;
  return result.linearizable ? kExitLinearizable : kExitNotLinearizable;
}
