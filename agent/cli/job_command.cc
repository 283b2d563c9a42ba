// `pifleet job submit|status|list|cancel|results` (docs/jobs.md): work split across the fleet by
// the state machine. submit and cancel go through the log in a session; status, list and
// results read the answering agent's replica (ClientOp::kJobQuery) and print its JSON as is
// (--json) or as text. `status --follow` polls until the job ends: a progress bar with per-node
// throughput and the ETA on a terminal, a plain line per change otherwise.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/cli/client.h"
#include "agent/cli/command.h"
#include "agent/cli/job_local.h"
#include "agent/sm/job_commands.h"

namespace pifleet::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One query; on exit 0 *out is the agent's JSON answer.
int Query(const char* command, Context& context, const std::string& query, Json* out) {
  wire::ClientReply reply;
  const int code = CallCommand(command, context.client, wire::ClientOp::kJobQuery, query, &reply);
  if (code != kExitOk) return code;
  *out = Json::parse(reply.payload, nullptr, false);
  if (out->is_discarded()) {
    std::fprintf(stderr, "pifleet %s: malformed reply from the agent\n", command);
    return kExitError;
  }
  return kExitOk;
}

int Submit(Context& context, const sm::JobSpec& spec) {
  if (std::string why = sm::CheckJobSpec(spec); !why.empty()) {
    return FailCommand("job submit", Status::InvalidArgument(why));
  }
  sm::JobCommand command = sm::MakeJobCommand(sm::JobKind::kSubmit, 0);
  command.spec = spec;
  wire::ClientReply reply;
  const int code = CallCommand("job submit", context.client, wire::ClientOp::kJob,
                               sm::EncodeJobCommand(command), &reply);
  if (code != kExitOk) return code;
  std::printf("job %s submitted: items %llu..%llu\n", spec.name.c_str(),
              static_cast<unsigned long long>(spec.first),
              static_cast<unsigned long long>(spec.end - 1));
  return kExitOk;
}

int Cancel(Context& context, const std::string& name) {
  wire::ClientReply reply;
  const int code = CallCommand(
      "job cancel", context.client, wire::ClientOp::kJob,
      sm::EncodeJobCommand(sm::MakeJobCommand(sm::JobKind::kCancel, 0, 0, name)), &reply);
  if (code == kExitOk) std::printf("job %s cancelled\n", name.c_str());
  return code;
}

bool Finished(const Json& status) {
  const std::string state = status.value("state", "");
  return state == "done" || state == "failed" || state == "cancelled";
}

std::string StatusLine(const Json& s) {
  const uint64_t items = s.value("items", uint64_t{0}),
                 done = s.value("committed_items", uint64_t{0});
  char line[512];
  std::snprintf(line, sizeof(line),
                "job %s: %s, %llu/%llu items (%.1f%%), chunks %llu/%llu done, %llu running",
                s.value("name", "").c_str(), s.value("state", "").c_str(),
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(items),
                items ? 100.0 * static_cast<double>(done) / static_cast<double>(items) : 0.0,
                static_cast<unsigned long long>(s.value("chunks_done", uint64_t{0})),
                static_cast<unsigned long long>(s.value("chunks", uint64_t{0})),
                static_cast<unsigned long long>(s.value("chunks_running", uint64_t{0})));
  std::string out = line;
  if (!s.value("failure", "").empty()) out += "\n  failure: " + s.value("failure", "");
  return out;
}

// The bar, per-node throughput (items/s while busy) and the ETA from their sum.
std::string ProgressLine(const Json& s) {
  const double items = s.value("items", 0.0), done = s.value("committed_items", 0.0);
  const double fraction = items > 0 ? done / items : 0;
  constexpr int kWidth = 30;
  std::string bar(static_cast<size_t>(fraction * kWidth), '#');
  bar.resize(kWidth, '.');
  double rate = 0;
  std::string nodes;
  for (const Json& w : s.value("workers", Json::array())) {
    const double r = w.value("items_per_s", 0.0);
    rate += r;
    const std::string name = w.value("name", "");
    char part[96];
    std::snprintf(
        part, sizeof(part), " %s %.0f/s",
        name.empty() ? std::to_string(w.value("node", uint64_t{0})).c_str() : name.c_str(), r);
    nodes += part;
  }
  char eta[32] = "ETA -";
  if (rate > 0 && !Finished(s)) std::snprintf(eta, sizeof(eta), "ETA %.0fs", (items - done) / rate);
  char line[1024];
  std::snprintf(line, sizeof(line), "\r[%s] %5.1f%% %s |%s | %s   ", bar.c_str(), 100 * fraction,
                s.value("state", "").c_str(), nodes.c_str(), eta);
  return line;
}

int ShowStatus(Context& context, const std::string& name, bool follow, bool json) {
  const bool terminal = isatty(STDOUT_FILENO) && !json;
  std::string last;
  for (;;) {
    Json s;
    if (int code = Query("job status", context, "status " + name, &s); code != kExitOk) return code;
    if (json) {
      const std::string text = Dump(s);
      if (text != last || !follow) std::printf("%s\n", text.c_str());
      last = text;
    } else if (follow && terminal) {
      std::printf("%s", ProgressLine(s).c_str());
    } else {
      const std::string text = StatusLine(s);
      if (text != last) std::printf("%s\n", text.c_str());
      last = text;
    }
    std::fflush(stdout);
    if (!follow || Finished(s)) {
      if (follow && terminal) std::printf("\n%s\n", StatusLine(s).c_str());
      return !follow || s.value("state", "") == "done" ? kExitOk : kExitError;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

int ListJobs(Context& context, bool json) {
  Json out;
  if (int code = Query("job list", context, "list", &out); code != kExitOk) return code;
  if (json) return std::printf("%s\n", Dump(out["jobs"]).c_str()), kExitOk;
  std::printf("%-20s %-10s %12s %12s\n", "NAME", "STATE", "COMMITTED", "ITEMS");
  for (const Json& j : out["jobs"]) {
    std::printf("%-20s %-10s %12llu %12llu\n", j.value("name", "").c_str(),
                j.value("state", "").c_str(),
                static_cast<unsigned long long>(j.value("committed_items", uint64_t{0})),
                static_cast<unsigned long long>(j.value("items", uint64_t{0})));
  }
  return kExitOk;
}

int Results(Context& context, const std::string& name, bool json) {
  Json all = Json::array();
  uint64_t from = 0;
  for (;;) {  // page by page (each reply fits one client message)
    Json page;
    const std::string query = "results " + name + " " + std::to_string(from);
    if (int code = Query("job results", context, query, &page); code != kExitOk) return code;
    for (Json& c : page["chunks"]) all.push_back(std::move(c));
    if (page["next"].is_null()) break;
    from = page["next"].get<uint64_t>();
  }
  if (json) return std::printf("%s\n", Dump(all).c_str()), kExitOk;
  std::printf("%12s %12s %20s %7s %5s %10s  %s\n", "START", "END", "NODE", "ATTEMPT", "EXIT", "MS",
              "OUTPUT");
  for (const Json& c : all) {
    std::string output = c.value("output", "");
    output = output.substr(0, output.find('\n'));
    std::printf("%12llu %12llu %20llu %7llu %5lld %10llu  %s\n",
                static_cast<unsigned long long>(c.value("start", uint64_t{0})),
                static_cast<unsigned long long>(c.value("end", uint64_t{0})),
                static_cast<unsigned long long>(c.value("node", uint64_t{0})),
                static_cast<unsigned long long>(c.value("attempt", uint64_t{0})),
                static_cast<long long>(c.value("exit_code", int64_t{0})),
                static_cast<unsigned long long>(c.value("duration_ms", uint64_t{0})),
                output.c_str());
  }
  return kExitOk;
}

}  // namespace

void InstallJobCommand(CLI::App& app, Context& context) {
  auto* job = app.add_subcommand("job", "Jobs: items split across the fleet by capacity");
  job->require_subcommand(1);
  auto spec = std::make_shared<sm::JobSpec>();
  auto items = std::make_shared<std::string>();
  auto builtin = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto follow = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);

  auto* submit = job->add_subcommand("submit", "Submit a job: -- CMD ARGS... or --builtin sha256");
  submit->add_option("--name", spec->name, "Job name (unique among kept jobs)")->required();
  submit->add_option("--items", *items, "Items A..B, inclusive")->required();
  submit->add_option("--chunk-min", spec->chunk_min, "Smallest chunk (items)")
      ->capture_default_str();
  submit->add_option("--timeout-s", spec->timeout_s, "A chunk's run time limit")
      ->capture_default_str();
  submit
      ->add_option("--retries", spec->retries,
                   "Failed runs of a chunk retried before the job fails")
      ->capture_default_str();
  submit->add_option("--builtin", *builtin, "Built-in CPU work per item")
      ->check(CLI::IsMember({"sha256"}));
  submit->add_option("--rounds", spec->rounds, "sha256 rounds per item")->capture_default_str();
  submit->add_option("command", spec->argv, "-- CMD ARGS...: run per chunk");
  submit->callback([spec, items, builtin, &context] {
    sm::JobSpec s = *spec;
    if (!ParseItems(*items, &s.first, &s.end)) {
      context.exit_code = kExitUsage;
      std::fprintf(stderr, "pifleet job submit: --items must be A..B with A <= B\n");
      return;
    }
    if (!builtin->empty() == !s.argv.empty()) {
      context.exit_code = kExitUsage;
      std::fprintf(stderr, "pifleet job submit: give either -- CMD ARGS... or --builtin sha256\n");
      return;
    }
    s.workload = builtin->empty() ? sm::Workload::kCommand : sm::Workload::kSha256;
    context.exit_code = Submit(context, s);
  });

  auto* status =
      job->add_subcommand("status", "A job's state: queued|running|done|failed|cancelled");
  status->add_option("NAME", *name, "Job name")->required();
  status->add_flag("--follow", *follow,
                   "Until it ends: progress bar on a terminal, lines otherwise");
  status->add_flag("--json", *json,
                   "The status as one JSON object (a line per change with --follow)");
  status->callback([name, follow, json, &context] {
    context.exit_code = ShowStatus(context, *name, *follow, *json);
  });

  auto* list = job->add_subcommand("list", "Every kept job");
  list->add_flag("--json", *json, "A JSON array");
  list->callback([json, &context] { context.exit_code = ListJobs(context, *json); });

  auto* cancel = job->add_subcommand("cancel", "Cancel a job; running commands are killed");
  cancel->add_option("NAME", *name, "Job name")->required();
  cancel->callback([name, &context] { context.exit_code = Cancel(context, *name); });

  auto* results = job->add_subcommand("results", "One row per committed chunk");
  results->add_option("NAME", *name, "Job name")->required();
  results->add_flag("--json", *json, "A JSON array, one object per committed chunk");
  results->callback([name, json, &context] { context.exit_code = Results(context, *name, *json); });

  InstallJobRunBuiltin(*job, context);
}

}  // namespace pifleet::cli
