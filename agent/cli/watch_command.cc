// `pifleet watch KEY | --prefix P [--from-rev R] [--json] [--count N]`: prints one line per event,
// in revision order, from any node (agent/daemon/watch_hub.h). The CLI pulls: each request asks for
// the events from its cursor (revision, index within the revision) and the node holds it up to
// Client::kWatchHoldMs when nothing is there yet. Each reply says where to ask from next, so when a
// node stops answering (it died, or is partitioned) the CLI asks the next endpoint from the same
// cursor: no gap, no duplicate. A cursor older than every endpoint's history exits 1 naming the
// oldest revision available; no endpoint answering for --timeout-ms exits 3.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "agent/base/text.h"
#include "agent/cli/client.h"
#include "agent/cli/kv_txn_call.h"
#include "agent/sm/kv.h"
#include "agent/wire/watch_bodies.h"

namespace pifleet::cli {
namespace {

struct WatchOptions {
  std::string key;
  std::string range_end;
  uint64_t from_revision = 0;
  uint64_t count = 0;  // 0: forever
  bool json = false;
};

void PrintEvent(const wire::WatchEventBody& event, bool json) {
  const char* type = event.type == 0 ? "PUT" : "DELETE";
  if (json) {
    nlohmann::json out = RowJson(event.row);
    out["type"] = type;
    std::printf("%s\n", DumpJson(out).c_str());
  } else {
    std::printf("%s %s %s %llu\n", type, event.row.key.c_str(), event.row.value.c_str(),
                static_cast<unsigned long long>(event.row.mod_revision));
  }
}

int Watch(Client& client, const WatchOptions& options, uint32_t timeout_ms) {
  wire::WatchRequestBody body{options.key, options.range_end, options.from_revision};
  size_t endpoint = 0;
  uint64_t printed = 0;
  auto last_answer = std::chrono::steady_clock::now();
  std::vector<uint64_t> compacted(client.endpoint_count(), 0);  // their oldest revision, 0: not
  while (true) {
    wire::WatchReplyBody got;
    if (!client.PollWatch(endpoint, body, &got)) {
      if (std::chrono::steady_clock::now() - last_answer > std::chrono::milliseconds(timeout_ms)) {
        std::fprintf(stderr, "pifleet watch: no endpoint answered within %u ms\n", timeout_ms);
        return kExitNoQuorum;
      }
      endpoint = (endpoint + 1) % client.endpoint_count();  // it died or cannot answer: next
      continue;
    }
    last_answer = std::chrono::steady_clock::now();
    if (got.status == wire::WatchReplyBody::kCompacted) {
      compacted[endpoint] = got.oldest_revision;
      if (std::find(compacted.begin(), compacted.end(), 0) == compacted.end()) {
        const uint64_t oldest = *std::min_element(compacted.begin(), compacted.end());
        std::fprintf(stderr,
                     "pifleet watch: revision %llu is older than the history the nodes keep; the "
                     "oldest available revision is %llu (watch again with --from-rev %llu)\n",
                     static_cast<unsigned long long>(body.from_revision),
                     static_cast<unsigned long long>(oldest),
                     static_cast<unsigned long long>(oldest));
        return kExitError;
      }
      endpoint = (endpoint + 1) % client.endpoint_count();  // another node may hold more
      continue;
    }
    std::fill(compacted.begin(), compacted.end(), 0);
    for (const wire::WatchEventBody& event : got.events) {
      PrintEvent(event, options.json);
      if (options.count != 0 && ++printed >= options.count) {
        std::fflush(stdout);
        return kExitOk;
      }
    }
    std::fflush(stdout);
    body.from_revision = got.next_revision;
    body.from_index = got.next_index;
  }
}

}  // namespace

void InstallWatchCommand(CLI::App& app, Context& context) {
  auto options = std::make_shared<WatchOptions>();
  auto prefix = std::make_shared<std::string>();
  auto* watch = app.add_subcommand(
      "watch", "Print the changes to KEY, or to every key under --prefix P, as they are applied");
  auto* key_option = watch->add_option("KEY", options->key, "Key");
  auto* prefix_option = watch->add_option("--prefix", *prefix, "Every key that starts with P");
  key_option->excludes(prefix_option);
  watch->add_option("--from-rev", options->from_revision,
                    "Start at this revision (default: the next one)");
  watch->add_option("--count", options->count, "Exit 0 after this many events (default: never)");
  watch->add_flag("--json", options->json,
                  "One object per event: type, key, value, mod_revision, create_revision, "
                  "version, lease");
  watch->callback([=, &context] {
    if (key_option->count() + prefix_option->count() != 1) {
      context.exit_code = FailCommand("watch", Status::InvalidArgument("give KEY or --prefix P"));
      return;
    }
    if (prefix_option->count() > 0) {
      options->key = *prefix;
      options->range_end = sm::PrefixEnd(*prefix);
    }
    std::unique_ptr<Client> client;
    if (Status status = Client::Create(context.client, &client); !status.ok()) {
      context.exit_code = FailCommand("watch", status);
      return;
    }
    context.exit_code = Watch(*client, *options, context.client.timeout_ms);
  });
}

}  // namespace pifleet::cli
