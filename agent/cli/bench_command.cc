// `pifleet bench put` and `bench get`: how fast the cluster at --endpoints takes writes and
// reads. N clients, each a thread with its own socket and session (as N `pifleet` processes
// would be), one request in flight each, for --duration-s seconds: `put` writes distinct keys
// through the log; `get` puts one key per client, then reads it back, through the log or under
// the leader's lease (--consistency). Progress goes to stderr once a second; the result is a
// table, or with --json one line of JSON (docs/cli.md, "bench").
// Exit codes: 0 measured (errors, if any, are counted in the result), 1 a client could not start
// or nothing was acknowledged (no endpoint reachable, wrong key or cluster), 2 usage.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/text.h"
#include "agent/cli/bench_stats.h"
#include "agent/cli/client.h"
#include "agent/cli/command.h"
#include "agent/sm/kv_op.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

// What one client thread measured; ops and errors are read by the progress line meanwhile.
struct ClientRun {
  std::vector<uint32_t> micros;  // one per acknowledged put
  std::atomic<uint64_t> ops{0};
  std::atomic<uint64_t> errors{0};
  std::string setup_error;  // empty when the client started
};

// Shared by the threads: start together after every client is ready, stop at the deadline.
struct Race {
  explicit Race(uint32_t clients) : ready(clients) {}
  std::latch ready;
  std::latch go{1};
  SteadyClock::time_point deadline;  // written before go opens, read after
};

Status PutOnce(Client& client, const std::string& key, const std::string& value) {
  const wire::KvRequestBody request{static_cast<uint8_t>(sm::KvKind::kPut), key, value, ""};
  wire::KvReplyBody body;
  return client.Command(wire::ClientOp::kKv, wire::EncodeBody(request), &body);
}

// A get of `key`, which holds `value`: through the log, or under the lease (a node that holds
// none declines, and the client asks the next endpoint). A wrong value is an error.
Status GetOnce(Client& client, BenchOp op, const std::string& key, const std::string& value) {
  if (op == BenchOp::kGetLog) {
    const wire::KvRequestBody request{static_cast<uint8_t>(sm::KvKind::kGet), key, "", ""};
    wire::KvReplyBody body;
    if (Status s = client.Command(wire::ClientOp::kKv, wire::EncodeBody(request), &body); !s.ok()) {
      return s;
    }
    return body.value == value ? Status::Ok() : Status::IOError("read a wrong value");
  }
  const wire::TxnRequestBody read{{}, {{wire::TxnOpBody::kRange, key, "", "", 0, 0}}, {}};
  wire::ClientReply reply;
  if (Status s = client.Call(wire::ClientOp::kLeaseRead, wire::EncodeBody(read), &reply); !s.ok()) {
    return s;
  }
  wire::TxnReplyBody body;
  if (reply.code != wire::ReplyCode::kOk || !wire::DecodeBody(reply.payload, &body) ||
      body.responses.size() != 1 || body.responses[0].rows.size() != 1 ||
      body.responses[0].rows[0].value != value) {
    return Status::IOError("lease read failed: " + reply.error);
  }
  return Status::Ok();
}

// One client: set up and register its session with a first put (not measured), then put until
// the deadline.
void RunClient(const ClientOptions& options, const BenchPutOptions& bench, uint32_t index,
               Race& race, ClientRun& run) {
  std::unique_ptr<Client> client;
  const std::string value(bench.value_bytes, 'v');
  Status status = Client::Create(options, &client);
  if (status.ok()) status = PutOnce(*client, BenchKey(index, 0, bench.key_bytes), value);
  if (!status.ok()) run.setup_error = status.message();
  race.ready.count_down();
  race.go.wait();
  if (!status.ok()) return;
  const std::string read_key = BenchKey(index, 0, bench.key_bytes);
  for (uint64_t sequence = 1; SteadyClock::now() < race.deadline; ++sequence) {
    const auto start = SteadyClock::now();
    const Status done = bench.op == BenchOp::kPut
                            ? PutOnce(*client, BenchKey(index, sequence, bench.key_bytes), value)
                            : GetOnce(*client, bench.op, read_key, value);
    if (done.ok()) {
      const auto micros =
          std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
      run.micros.push_back(static_cast<uint32_t>(std::min<int64_t>(micros.count(), UINT32_MAX)));
      run.ops.fetch_add(1, std::memory_order_relaxed);
    } else {
      run.errors.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

void PrintProgress(const std::vector<std::unique_ptr<ClientRun>>& runs, double seconds,
                   const BenchPutOptions& bench) {
  const char* unit = bench.op == BenchOp::kPut ? "puts" : "gets";
  uint64_t ops = 0, errors = 0;
  for (const auto& run : runs) {
    ops += run->ops.load(std::memory_order_relaxed);
    errors += run->errors.load(std::memory_order_relaxed);
  }
  std::fprintf(stderr, "bench %s: %.0f/%u s, %llu %s, %.0f %s/s, %llu errors\n",
               bench.op == BenchOp::kPut ? "put" : "get", seconds, bench.duration_s,
               static_cast<unsigned long long>(ops), unit,
               seconds > 0 ? static_cast<double>(ops) / seconds : 0.0, unit,
               static_cast<unsigned long long>(errors));
}

// Runs the clients; fills *summary, or returns why no measurement came out.
Status Measure(const ClientOptions& options, const BenchPutOptions& bench, BenchSummary* summary) {
  Race race(bench.clients);
  std::vector<std::unique_ptr<ClientRun>> runs;
  std::vector<std::thread> threads;
  for (uint32_t i = 0; i < bench.clients; ++i) {
    runs.push_back(std::make_unique<ClientRun>());
    threads.emplace_back(RunClient, std::cref(options), std::cref(bench), i, std::ref(race),
                         std::ref(*runs.back()));
  }
  race.ready.wait();
  size_t failed = 0;
  for (const auto& run : runs) failed += run->setup_error.empty() ? 0 : 1;
  const auto start = SteadyClock::now();
  race.deadline = failed > 0 ? start : start + std::chrono::seconds(bench.duration_s);
  race.go.count_down();
  for (auto next = start + std::chrono::seconds(1); next < race.deadline;
       next += std::chrono::seconds(1)) {
    std::this_thread::sleep_until(next);
    PrintProgress(runs, std::chrono::duration<double>(next - start).count(), bench);
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  for (const auto& run : runs) {
    if (!run->setup_error.empty()) {
      return Status::IOError(std::to_string(failed) + " of " + std::to_string(bench.clients) +
                             " clients could not start: " + run->setup_error);
    }
  }
  std::vector<uint32_t> micros;
  uint64_t errors = 0;
  for (const auto& run : runs) {
    micros.insert(micros.end(), run->micros.begin(), run->micros.end());
    errors += run->errors.load();
  }
  *summary = Summarize(bench.clients, std::move(micros), errors, seconds);
  if (summary->ops == 0) {
    return Status::IOError(std::string(bench.op == BenchOp::kPut ? "no put" : "no get") +
                           " was acknowledged in " + std::to_string(bench.duration_s) + " s (" +
                           std::to_string(errors) + " errors)");
  }
  return Status::Ok();
}

// `bench put` and `bench get`: the same flags, clients and outputs.
CLI::App* AddBenchSubcommand(CLI::App& group, Context& context, const char* name, const char* help,
                             const std::shared_ptr<BenchPutOptions>& bench) {
  auto json = std::make_shared<bool>(false);
  auto* sub = group.add_subcommand(name, help);
  sub->add_option("--clients", bench->clients, "Concurrent clients, each its own session")
      ->capture_default_str();
  sub->add_option("--duration-s", bench->duration_s, "How long to measure")->capture_default_str();
  sub->add_option("--key-bytes", bench->key_bytes, "Key size")->capture_default_str();
  sub->add_option("--value-bytes", bench->value_bytes, "Value size")->capture_default_str();
  sub->add_flag("--json", *json,
                R"(One line: {"clients":N,"ops":N,"throughput_per_s":X,"p50_ms":X,"p99_ms":X,)"
                R"("errors":N})");
  sub->footer(std::string("Progress goes to stderr once a second. Exit codes: 0 measured (errors "
                          "are counted in the result), 1 a client could not start or no ") +
              name + " was acknowledged, 2 usage.");
  const std::string command = std::string("bench ") + name;
  sub->callback([=, &context] {
    if (Status status = CheckBenchPutOptions(*bench); !status.ok()) {
      context.exit_code = FailCommand(command.c_str(), status);
      return;
    }
    BenchSummary summary;
    if (Status status = Measure(context.client, *bench, &summary); !status.ok()) {
      std::fprintf(stderr, "pifleet %s: %s\n", command.c_str(),
                   EscapeLinesForTerminal(status.message()).c_str());
      context.exit_code = kExitError;
      return;
    }
    const std::string out = *json ? BenchJson(summary) + "\n" : BenchTable(summary, *bench);
    std::fputs(out.c_str(), stdout);
    context.exit_code = kExitOk;
  });
  return sub;
}

}  // namespace

void InstallBenchCommand(CLI::App& app, Context& context) {
  auto* group = app.add_subcommand("bench", "Measure the cluster at --endpoints");
  group->require_subcommand(1);
  AddBenchSubcommand(*group, context, "put",
                     "N clients put distinct keys through the log of the cluster at --endpoints "
                     "for S seconds: throughput and latency",
                     std::make_shared<BenchPutOptions>());
  auto get_options = std::make_shared<BenchPutOptions>();
  get_options->op = BenchOp::kGetLog;
  auto* get = AddBenchSubcommand(
      *group, context, "get",
      "N clients each put one key, then read it back for S seconds (through the log, or under "
      "the leader's lease): throughput and latency",
      get_options);
  get->add_option_function<std::string>(
         "--consistency",
         [get_options](const std::string& value) {
           get_options->op = value == "lease" ? BenchOp::kGetLease : BenchOp::kGetLog;
         },
         "log: every get through the log; lease: answered by the leader under its lease (list "
         "the leader's endpoint first)")
      ->check(CLI::IsMember({"log", "lease"}))
      ->default_str("log");
}

}  // namespace pifleet::cli
