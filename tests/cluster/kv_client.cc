// pifleet-kv-client: one long-lived client for the cluster tests and tests/bench/cluster_bench.sh.
// The client (key, subkeys, socket) is set up once, so the figures are the cluster's, not
// process start-up's, and a ledger of hundreds of keys is checked in one process.
//   pifleet-kv-client --endpoints E --key-file K latency N
//       N sequential puts; prints "puts N p50_us X p99_us Y max_us Z"
//   pifleet-kv-client --endpoints E --key-file K failover PID
//       one put, then SIGKILL to PID, then the next put until acknowledged; prints
//       "failover_ms X" (kill to acknowledgement)
//   pifleet-kv-client --endpoints E --key-file K check FILE
//       reads every "KEY VALUE" line's key through the log and compares the value
//   pifleet-kv-client --endpoints E --key-file K stamped N
//       N puts of watch/0 .. watch/N-1, 20 ms apart; after each acknowledgement prints "KEY NS",
//       NS the wall clock (CLOCK_REALTIME) in ns (tests/bench: watch delivery latency)
//   pifleet-kv-client --endpoints E --key-file K reads-log N | reads-local N
//       N gets of one key through the log, or from the answering node's state; prints
//       "gets N p50_us X p99_us Y max_us Z"
//   pifleet-kv-client --endpoints E --key-file K clients N
//       N clients one after another, each its own sender and session, each one put of
//       "clients/I"; prints "clients N"
// Every client registers a session through the log first (docs/formats.md, "Client protocol").
// Exit codes: 0 done, 1 a request failed, timed out or read a wrong value, 2 usage.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/cli/client.h"
#include "agent/sm/kv_op.h"
#include "agent/wire/client_bodies.h"

namespace pifleet {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint32_t kRequestTimeoutMs = 30000;

// A log operation; *output gets the value for a get.
bool Run(cli::Client& client, sm::KvKind kind, const std::string& key, const std::string& value,
         std::string* output) {
  const wire::KvRequestBody request{static_cast<uint8_t>(kind), key, value, ""};
  wire::KvReplyBody body;
  if (!client.Command(wire::ClientOp::kKv, wire::EncodeBody(request), &body).ok()) return false;
  if (output != nullptr) *output = body.value;
  return true;
}

bool Put(cli::Client& client, const std::string& key) {
  return Run(client, sm::KvKind::kPut, key, "x", nullptr);
}

int64_t MicrosSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

std::string Percentiles(std::vector<int64_t> micros) {
  std::sort(micros.begin(), micros.end());
  const auto at = [&micros](double q) {
    return static_cast<long long>(
        micros[std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()))]);
  };
  return "p50_us " + std::to_string(at(0.50)) + " p99_us " + std::to_string(at(0.99)) + " max_us " +
         std::to_string(micros.back());
}

int Latency(cli::Client& client, int count) {
  std::vector<int64_t> micros;
  micros.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const auto start = Clock::now();
    if (!Put(client, "latency/" + std::to_string(i))) {
      std::fprintf(stderr, "pifleet-kv-client: put %d failed\n", i);
      return 1;
    }
    micros.push_back(MicrosSince(start));
  }
  std::printf("puts %d %s\n", count, Percentiles(std::move(micros)).c_str());
  return 0;
}

int Stamped(cli::Client& client, int count) {
  for (int i = 0; i < count; ++i) {
    const std::string key = "watch/" + std::to_string(i);
    if (!Put(client, key)) {
      std::fprintf(stderr, "pifleet-kv-client: put %d failed\n", i);
      return 1;
    }
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    std::printf("%s %lld\n", key.c_str(), static_cast<long long>(ns));
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

// Gets of one key (put first): through the log, or from the answering node's applied state.
int Reads(cli::Client& client, int count, bool local) {
  if (!Put(client, "reads/key")) return 1;
  std::vector<int64_t> micros;
  micros.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const auto start = Clock::now();
    bool ok = false;
    if (local) {
      wire::ClientReply reply;
      ok = client
               .Call(wire::ClientOp::kLocalGet, wire::EncodeBody(wire::LocalGetBody{"reads/key"}),
                     &reply)
               .ok() &&
           reply.code == wire::ReplyCode::kOk;
    } else {
      std::string value;
      ok = Run(client, sm::KvKind::kGet, "reads/key", "", &value);
    }
    if (!ok) {
      std::fprintf(stderr, "pifleet-kv-client: get %d failed\n", i);
      return 1;
    }
    micros.push_back(MicrosSince(start));
  }
  std::printf("gets %d %s\n", count, Percentiles(std::move(micros)).c_str());
  return 0;
}

int Failover(cli::Client& client, pid_t victim) {
  if (!Put(client, "failover/before")) {
    std::fprintf(stderr, "pifleet-kv-client: no put acknowledged before the kill\n");
    return 1;
  }
  const auto start = Clock::now();
  if (kill(victim, SIGKILL) != 0) {
    std::perror("pifleet-kv-client: kill");
    return 1;
  }
  if (!Put(client, "failover/after")) {
    std::fprintf(stderr, "pifleet-kv-client: no put acknowledged after the kill\n");
    return 1;
  }
  std::printf("failover_ms %.1f\n", static_cast<double>(MicrosSince(start)) / 1000.0);
  return 0;
}

int Check(cli::Client& client, const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    std::fprintf(stderr, "pifleet-kv-client: cannot read %s\n", path.c_str());
    return 1;
  }
  std::string line;
  int checked = 0;
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    std::string key, value, got;
    if (!(fields >> key >> value)) continue;
    if (!Run(client, sm::KvKind::kGet, key, "", &got)) {
      std::fprintf(stderr, "pifleet-kv-client: read of %s failed\n", key.c_str());
      return 1;
    }
    if (got != value) {
      std::fprintf(stderr, "%s: read '%s', acknowledged '%s'\n", key.c_str(), got.c_str(),
                   value.c_str());
      return 1;
    }
    ++checked;
  }
  std::printf("ledger: all %d acknowledged writes read back\n", checked);
  return 0;
}

// Many short-lived clients, as many CLI processes would be: each a new sender (replay window
// entry) and a new session.
int Clients(const cli::ClientOptions& options, int count) {
  for (int i = 0; i < count; ++i) {
    std::unique_ptr<cli::Client> client;
    if (!cli::Client::Create(options, &client).ok() ||
        !Run(*client, sm::KvKind::kPut, "clients/" + std::to_string(i), "x", nullptr)) {
      std::fprintf(stderr, "pifleet-kv-client: client %d failed\n", i);
      return 1;
    }
  }
  std::printf("clients %d\n", count);
  return 0;
}

int Usage() {
  std::fprintf(stderr,
               "usage: pifleet-kv-client --endpoints E --key-file K "
               "(latency N | stamped N | reads-log N | reads-local N | failover PID | check FILE "
               "| clients N)\n");
  return 2;
}

int Main(int argc, char** argv) {
  cli::ClientOptions options;
  options.timeout_ms = kRequestTimeoutMs;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--endpoints" && i + 1 < args.size()) {
      options.endpoints = args[++i];
    } else if (args[i] == "--key-file" && i + 1 < args.size()) {
      options.key_file = args[++i];
    } else {
      rest.push_back(args[i]);
    }
  }
  if (rest.size() != 2) return Usage();
  std::unique_ptr<cli::Client> client;
  if (Status status = cli::Client::Create(options, &client); !status.ok()) {
    std::fprintf(stderr, "pifleet-kv-client: %s\n", status.message().c_str());
    return 2;
  }
  const std::string& mode = rest[0];
  const int number = std::atoi(rest[1].c_str());
  if (mode == "latency" && number > 0) return Latency(*client, number);
  if (mode == "stamped" && number > 0) return Stamped(*client, number);
  if (mode == "reads-log" && number > 0) return Reads(*client, number, false);
  if (mode == "reads-local" && number > 0) return Reads(*client, number, true);
  if (mode == "failover" && number > 0) return Failover(*client, static_cast<pid_t>(number));
  if (mode == "check") return Check(*client, rest[1]);
  if (mode == "clients" && number > 0) return Clients(options, number);
  return Usage();
}

}  // namespace
}  // namespace pifleet

int main(int argc, char** argv) { return pifleet::Main(argc, argv); }
