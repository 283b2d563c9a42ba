// `pifleet topic read` and `pifleet topic subscribe` (docs/topics.md). read prints the retained
// objects of a topic from an offset, page by page (each page one read through the log, or from the
// answering node's state with --consistency local), and exits. subscribe reads what is retained
// from its offset on the answering node, then pulls the watch stream of the topic's keys from that
// read's revision + 1 (agent/daemon/watch_hub.h), so it continues on any node after a node death
// or a leader change with no gap and no duplicate: it tracks the next offset it expects, skips
// what it has printed, and reads again from that offset whenever the watch history no longer
// covers its cursor.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "agent/cli/client.h"
#include "agent/cli/topic_call.h"
#include "agent/sm/kv.h"
#include "agent/sm/topic_groups.h"
#include "agent/wire/watch_bodies.h"

namespace pifleet::cli {
namespace {

struct ReadOptions {
  std::string topic;
  uint64_t from = 0;
  std::string from_text;  // subscribe: an offset or "latest"
  uint64_t limit = 0;     // read: 0 all; subscribe: exit after this many printed (0 never)
  std::string consistency = "log";
  std::vector<std::string> types;
  bool json = false;
  // subscribe --group (topic_group.cc)
  std::string group;
  std::string exec;
  double ack_wait_s = 0;
  uint64_t max_deliveries = 0;
  uint64_t batch = 0;
};

int InGroup(Context& context, const ReadOptions& o) {
  GroupMemberOptions g;
  g.topic = o.topic;
  g.group = o.group;
  g.types = o.types;
  g.start = o.from_text == "latest" ? sm::kStartLatest : o.from;
  g.exec = o.exec;
  const double ack_wait_ms = o.ack_wait_s * 1000;  // 0: the group's (a new group: 30 s)
  if (o.ack_wait_s != 0 && !(ack_wait_ms >= static_cast<double>(sm::kGroupAckWaitMsMin) &&
                             ack_wait_ms <= static_cast<double>(sm::kGroupAckWaitMsMax))) {
    return FailCommand("topic subscribe",
                       Status::InvalidArgument("--ack-wait-s must be 0.1 to 3600"));
  }
  g.ack_wait_ms = static_cast<uint64_t>(std::llround(ack_wait_ms));
  g.max_deliveries = o.max_deliveries;
  g.batch = o.batch != 0 ? o.batch : (o.exec.empty() ? 8 : 1);
  if (g.batch > sm::kGroupClaimMax) {
    return FailCommand("topic subscribe", Status::InvalidArgument("--batch must be 1 to 64"));
  }
  g.count = o.limit;
  g.json = o.json;
  return SubscribeInGroup(context, g);
}

int NoTopic(const char* command, const std::string& topic) {
  std::fprintf(stderr, "pifleet %s: no topic '%s'\n", command, topic.c_str());
  return kExitError;
}

int Read(Context& context, const ReadOptions& o) {
  std::unique_ptr<Client> client;
  if (Status s = Client::Create(context.client, &client); !s.ok())
    return FailCommand("topic read", s);
  uint64_t from = o.from;
  uint64_t printed = 0;
  while (true) {
    TopicPage page;
    const uint64_t limit = o.limit == 0 ? 0 : o.limit - printed;
    if (Status s = ReadTopicPage(*client, o.consistency == "local", o.topic, from, limit, &page);
        !s.ok()) {
      return FailCommand("topic read", s);
    }
    if (!page.exists) return NoTopic("topic read", o.topic);
    for (const TopicEntry& entry : page.entries) PrintEntry(o.topic, entry, o.json);
    printed += page.entries.size();
    std::fflush(stdout);
    if (!page.more || page.entries.empty() || (o.limit != 0 && printed >= o.limit)) return kExitOk;
    from = page.entries.back().offset + 1;
  }
}

class Subscriber {
 public:
  Subscriber(Client& client, const ReadOptions& o, uint32_t timeout_ms)
      : client_(client),
        o_(o),
        types_(o.types.begin(), o.types.end()),
        timeout_ms_(timeout_ms),
        next_(o.from) {}

  int Run() {
    if (const int code = CatchUp(o_.from_text == "latest"); code != kExitOk) return code;
    wire::WatchRequestBody body{sm::TopicDataPrefix(o_.topic),
                                sm::PrefixEnd(sm::TopicDataPrefix(o_.topic)), revision_ + 1};
    size_t endpoint = 0;
    auto last_answer = std::chrono::steady_clock::now();
    while (!Done()) {
      wire::WatchReplyBody got;
      if (!client_.PollWatch(endpoint, body, &got)) {
        if (std::chrono::steady_clock::now() - last_answer >
            std::chrono::milliseconds(timeout_ms_)) {
          std::fprintf(stderr, "pifleet topic subscribe: no endpoint answered within %u ms\n",
                       timeout_ms_);
          return kExitNoQuorum;
        }
        endpoint = (endpoint + 1) % client_.endpoint_count();  // it died or cannot answer: next
        continue;
      }
      last_answer = std::chrono::steady_clock::now();
      bool reread = got.status == wire::WatchReplyBody::kCompacted;
      for (const wire::WatchEventBody& event : got.events) {
        if (reread || Done() || event.type != 0) continue;
        reread = !Deliver(event.row);
      }
      if (reread) {  // the history no longer covers the cursor: read again from our offset
        if (const int code = CatchUp(false); code != kExitOk) return code;
        body.from_revision = revision_ + 1;
        body.from_index = 0;
        continue;
      }
      body.from_revision = got.next_revision;
      body.from_index = got.next_index;
    }
    return kExitOk;
  }

 private:
  bool Done() const { return o_.limit != 0 && printed_ >= o_.limit; }

  // Reads every retained object from next_ (or only learns the next offset: `latest`), page by
  // page from the answering node; revision_ becomes the revision of the last page.
  int CatchUp(bool latest) {
    while (true) {
      TopicPage page;
      if (Status s = ReadTopicPage(client_, true, o_.topic, next_, latest ? 1 : 0, &page);
          !s.ok()) {
        return FailCommand("topic subscribe", s);
      }
      if (!page.exists) return NoTopic("topic subscribe", o_.topic);
      revision_ = page.revision;
      if (latest) {
        next_ = page.meta.next_offset;
        return kExitOk;
      }
      if (page.meta.first_offset > next_) {
        std::fprintf(stderr,
                     "pifleet topic subscribe: objects %llu..%llu were dropped by retention "
                     "before this subscriber read them\n",
                     static_cast<unsigned long long>(next_),
                     static_cast<unsigned long long>(page.meta.first_offset - 1));
        next_ = page.meta.first_offset;
      }
      for (const TopicEntry& entry : page.entries) Print(entry);
      std::fflush(stdout);
      if (!page.more || page.entries.empty() || Done()) return kExitOk;
    }
  }

  // One put of the watch stream; false when it is past the offset expected (read again).
  bool Deliver(const wire::KvRow& row) {
    const auto offset = sm::OffsetOfKey(o_.topic, row.key);
    auto object = sm::DecodeTopicObject(row.value);
    if (!offset || !object || *offset < next_) return true;  // not ours, or printed already
    if (*offset > next_) return false;
    Print({*offset, std::move(*object), row.mod_revision});
    std::fflush(stdout);
    return true;
  }

  void Print(const TopicEntry& entry) {
    if (entry.offset < next_ || Done()) return;
    next_ = entry.offset + 1;
    if (!types_.empty() && !types_.contains(entry.object.type)) return;
    PrintEntry(o_.topic, entry, o_.json);
    ++printed_;
  }

  Client& client_;
  const ReadOptions& o_;
  const std::set<std::string> types_;
  const uint32_t timeout_ms_;
  uint64_t next_ = 0;
  uint64_t revision_ = 0;
  uint64_t printed_ = 0;
};

int Subscribe(Context& context, ReadOptions& o) {
  if (o.from_text != "latest" && !o.from_text.empty()) {
    try {
      size_t used = 0;
      o.from = std::stoull(o.from_text, &used);
      if (used != o.from_text.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return FailCommand("topic subscribe",
                         Status::InvalidArgument("--from takes an offset or 'latest'"));
    }
  }
  if (!o.group.empty()) return InGroup(context, o);
  if (!o.exec.empty() || o.ack_wait_s != 0 || o.max_deliveries != 0 || o.batch != 0) {
    return FailCommand(
        "topic subscribe",
        Status::InvalidArgument("--exec, --ack-wait-s, --max-deliveries and --batch need --group"));
  }
  std::unique_ptr<Client> client;
  if (Status s = Client::Create(context.client, &client); !s.ok()) {
    return FailCommand("topic subscribe", s);
  }
  Subscriber subscriber(*client, o, context.client.timeout_ms);
  return subscriber.Run();
}

}  // namespace

void InstallTopicReadCommands(CLI::App& topic, Context& context) {
  auto o = std::make_shared<ReadOptions>();
  const std::string line =
      "One object per line: topic, offset, type, data (the JSON value), published_by, revision";
  auto* read = topic.add_subcommand("read", "Print the retained objects of TOPIC and exit");
  read->add_option("TOPIC", o->topic, "Topic")->required();
  read->add_option("--from", o->from, "From this offset (default 0: the oldest retained)");
  read->add_option("--limit", o->limit, "At most N objects (default: all)");
  read->add_option("--consistency", o->consistency,
                   "log: read through the log (default); local: the answering node's state")
      ->check(CLI::IsMember({"log", "local"}));
  read->add_flag("--json", o->json, line);
  read->callback([=, &context] { context.exit_code = Read(context, *o); });
  auto* subscribe = topic.add_subcommand(
      "subscribe", "Print every object of TOPIC (of --type T) from --from on, as published");
  subscribe->add_option("TOPIC", o->topic, "Topic")->required();
  subscribe->add_option("--type", o->types, "Only objects of this type (repeat for more)");
  subscribe->add_option("--from", o->from_text, "An offset, or latest (default 0: the oldest)");
  subscribe->add_option("--count", o->limit, "Exit 0 after this many objects (default: never)");
  subscribe->add_flag("--json", o->json, line);
  subscribe->add_option("--group", o->group,
                        "Join consumer group G: each object to one member, acknowledged after it "
                        "is processed (docs/topics.md)");
  subscribe->add_option("--exec", o->exec,
                        "With --group: run CMD (sh -c) per object, its JSON line on stdin; "
                        "acknowledged when CMD exits 0, failed otherwise");
  subscribe->add_option("--ack-wait-s", o->ack_wait_s,
                        "A new group's ack wait: an object unacknowledged this long goes to "
                        "another member (default 30)");
  subscribe->add_option("--max-deliveries", o->max_deliveries,
                        "A new group's failed deliveries before an object is parked (default 5)");
  subscribe->add_option("--batch", o->batch,
                        "Objects claimed at once (default 8; 1 with --exec; at most 64)");
  subscribe->footer(
      "Exit codes: 0 --count reached or left the group on SIGINT/SIGTERM, 1 unknown topic or "
      "refused, 2 usage or a group's settings differ, 3 no agent answered in time.");
  subscribe->callback([=, &context] { context.exit_code = Subscribe(context, *o); });
}

}  // namespace pifleet::cli
