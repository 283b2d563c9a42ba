// `pifleet topic subscribe TOPIC --group G`: one member of a consumer group (docs/topics.md,
// "Consumer groups"). The member claims objects through the log (each delivery has an attempt
// number), reads them from the answering node, processes each (prints it, or runs --exec CMD
// with it on stdin) and acknowledges what it processed through the log, tied to the attempt; a
// failed CMD fails the delivery, which goes to another member or, after --max-deliveries
// failures, is parked. With nothing to claim it waits on the topic's watch stream (or until the
// group's next ack deadline, when a dead member's objects come back). On SIGINT or SIGTERM it
// acknowledges what it processed, releases what it had not started, and exits 0.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string_view>

#include "agent/base/text.h"
#include "agent/cli/client.h"
#include "agent/cli/kv_txn_call.h"
#include "agent/cli/topic_call.h"
#include "agent/sm/kv.h"
#include "agent/wire/topic_group_body.h"
#include "agent/wire/watch_bodies.h"

namespace pifleet::cli {
namespace {

constexpr uint64_t kReclaimEveryMs = 10000;  // an idle member claims at least this often

volatile std::sig_atomic_t g_stop = 0;
void OnStop(int /*signal*/) { g_stop = 1; }

std::string MemberName() {
  char host[64] = {};
  gethostname(host, sizeof(host) - 1);
  std::random_device device;
  char tail[16];
  std::snprintf(tail, sizeof(tail), "%04x", device() & 0xffff);
  return std::string(host) + "-" + std::to_string(getpid()) + "-" + tail;
}

struct Delivery {
  uint64_t offset = 0;
  uint64_t attempt = 0;
};

// A claim's result (sm/topic_groups.h): "REVISION WAIT_MS" then d:O:A, p:O, x:N, more.
struct Claimed {
  uint64_t revision = 0;
  uint64_t wait_ms = 0;
  std::vector<Delivery> deliveries;
  std::vector<uint64_t> parked;
  std::vector<uint64_t> stale;
  uint64_t dropped = 0;
  bool more = false;
};

bool ParseU64(std::string_view text, uint64_t* out) {
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, *out);
  return !text.empty() && error == std::errc() && ptr == end;
}

bool ParseResult(const std::string& text, Claimed* out) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  if (words.empty() || !ParseU64(words[0], &out->revision)) return false;
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    uint64_t a = 0;
    uint64_t b = 0;
    if (i == 1 && ParseU64(w, &out->wait_ms)) continue;
    if (w == "more") {
      out->more = true;
    } else if (w.starts_with("d:")) {
      const size_t colon = w.find(':', 2);
      if (colon == std::string::npos || !ParseU64(w.substr(2, colon - 2), &a) ||
          !ParseU64(w.substr(colon + 1), &b)) {
        return false;
      }
      out->deliveries.push_back({a, b});
    } else if (w.starts_with("p:") && ParseU64(w.substr(2), &a)) {
      out->parked.push_back(a);
    } else if (w.starts_with("s:") && ParseU64(w.substr(2), &a)) {
      out->stale.push_back(a);
    } else if (w.starts_with("x:") && ParseU64(w.substr(2), &a)) {
      out->dropped += a;
    } else {
      return false;
    }
  }
  return true;
}

class GroupMember {
 public:
  GroupMember(Client& client, const GroupMemberOptions& o)
      : client_(client), o_(o), member_(MemberName()) {}

  int Run() {
    struct sigaction action = {};
    action.sa_handler = OnStop;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    while (!g_stop && !Done()) {
      Claimed claimed;
      if (const int code = Claim(&claimed); code != kExitOk) return code;
      if (!claimed.deliveries.empty()) {
        if (const int code = Process(claimed.deliveries); code != kExitOk) return code;
        continue;
      }
      if (!claimed.more) WaitForNews(claimed.revision, claimed.wait_ms);
    }
    if (g_stop)
      std::fprintf(stderr, "pifleet topic subscribe: left group '%s'\n", o_.group.c_str());
    return kExitOk;
  }

 private:
  bool Done() const { return o_.count != 0 && processed_ >= o_.count; }

  int Send(wire::TopicGroupBody body, Claimed* out) {
    body.topic = o_.topic;
    body.group = o_.group;
    body.member = member_;
    std::string value;
    const int code = TopicCallWith(client_, "topic subscribe", wire::ClientOp::kTopicGroup,
                                   wire::EncodeBody(body), &value);
    if (code != kExitOk) return code;
    if (!ParseResult(value, out)) {
      std::fprintf(stderr, "pifleet topic subscribe: unreadable answer '%s'\n",
                   EscapeForTerminal(value).c_str());
      return kExitError;
    }
    Report(*out);
    return kExitOk;
  }

  int Claim(Claimed* out) {
    wire::TopicGroupBody body;
    body.claim = true;
    body.max = o_.batch;
    body.start = o_.start;
    body.ack_wait_ms = o_.ack_wait_ms;
    body.max_deliveries = o_.max_deliveries;
    body.types = o_.types;
    return Send(std::move(body), out);
  }

  void Report(const Claimed& c) const {
    const char* topic = o_.topic.c_str();
    const char* group = o_.group.c_str();
    if (c.dropped > 0) {
      std::fprintf(stderr,
                   "pifleet topic subscribe: %llu objects of '%s' were dropped by retention "
                   "before group '%s' processed them\n",
                   static_cast<unsigned long long>(c.dropped), topic, group);
    }
    for (const uint64_t offset : c.parked) {
      std::fprintf(stderr,
                   "pifleet topic subscribe: offset %llu parked: its deliveries failed %s; "
                   "`pifleet kv get --prefix pifleet/topic/parked/%s/%s/` says why\n",
                   static_cast<unsigned long long>(offset),
                   "--max-deliveries times (or it was not acknowledged in time)", topic, group);
    }
    for (const uint64_t offset : c.stale) {
      std::fprintf(stderr,
                   "pifleet topic subscribe: the ack of offset %llu was refused: the group gave "
                   "it to another member after the ack wait; it may be processed there again\n",
                   static_cast<unsigned long long>(offset));
    }
  }

  // The claimed objects from the answering node (through the log when it is behind).
  std::map<uint64_t, TopicEntry> Fetch(const std::vector<Delivery>& deliveries, int* code,
                                       uint64_t* first_retained) {
    std::map<uint64_t, TopicEntry> got;
    const uint64_t last = deliveries.back().offset;
    for (const bool local : {true, false}) {
      bool read_any = false;
      uint64_t read_to = 0;  // this pass has read every object up to here
      for (const Delivery& d : deliveries) {
        if (got.contains(d.offset) || (read_any && d.offset <= read_to)) continue;
        TopicPage page;
        if (Status s =
                ReadTopicPage(client_, local, o_.topic, d.offset, last - d.offset + 1, &page);
            !s.ok()) {
          *code = FailCommand("topic subscribe", s);
          return got;
        }
        *first_retained = page.meta.first_offset;
        read_any = true;
        read_to = page.more && !page.entries.empty() ? page.entries.back().offset : last;
        for (TopicEntry& entry : page.entries) got.emplace(entry.offset, std::move(entry));
      }
      const bool missing = std::any_of(deliveries.begin(), deliveries.end(),
                                       [&](const Delivery& d) { return !got.contains(d.offset); });
      if (!missing) break;
    }
    return got;
  }

  int Process(std::vector<Delivery> deliveries) {
    std::sort(deliveries.begin(), deliveries.end(),
              [](const Delivery& a, const Delivery& b) { return a.offset < b.offset; });
    int code = kExitOk;
    uint64_t first_retained = 0;
    std::map<uint64_t, TopicEntry> objects = Fetch(deliveries, &code, &first_retained);
    if (code != kExitOk) return code;
    wire::TopicGroupBody acks;
    acks.claim = false;
    for (const Delivery& d : deliveries) {
      uint8_t outcome = 0;
      const auto it = objects.find(d.offset);
      if (g_stop || Done()) {
        outcome = 2;  // not started: another member takes it at once
      } else if (it == objects.end()) {
        outcome = d.offset < first_retained ? 0 : 2;  // gone with retention, or not yet here
      } else {
        outcome = Handle(it->second, d.attempt, &acks.reason);
        if (outcome == 1 && g_stop) outcome = 2;  // CMD died with us (SIGINT): not its fault
        if (outcome == 0) ++processed_;
      }
      acks.acks.push_back({d.offset, d.attempt, outcome});
    }
    Claimed answer;
    return Send(std::move(acks), &answer);
  }

  // Processes one object: 0 done (acknowledge), 1 failed (*reason says why).
  uint8_t Handle(const TopicEntry& entry, uint64_t attempt, std::string* reason) {
    if (o_.exec.empty()) {
      PrintEntry(o_.topic, entry, o_.json);
      std::fflush(stdout);
      return 0;
    }
    const int status = RunExec(entry, attempt);
    if (status == 0) return 0;
    *reason = "`" + o_.exec + "` " +
              (status > 128 ? "was killed by signal " + std::to_string(status - 128)
                            : "exited " + std::to_string(status)) +
              " on attempt " + std::to_string(attempt);
    if (reason->size() > 500) reason->resize(500);
    std::fprintf(stderr, "pifleet topic subscribe: offset %llu: %s\n",
                 static_cast<unsigned long long>(entry.offset), reason->c_str());
    return 1;
  }

  // Runs --exec CMD with the object's JSON line on stdin; its exit status (128 + signal).
  int RunExec(const TopicEntry& entry, uint64_t attempt) {
    std::fflush(stdout);
    const std::string line = DumpJson(EntryJson(o_.topic, entry)) + "\n";
    int fds[2];
    if (pipe(fds) != 0) return 127;
    const pid_t child = fork();
    if (child == 0) {
      dup2(fds[0], STDIN_FILENO);
      close(fds[0]);
      close(fds[1]);
      setenv("PIFLEET_TOPIC", o_.topic.c_str(), 1);
      setenv("PIFLEET_GROUP", o_.group.c_str(), 1);
      setenv("PIFLEET_OFFSET", std::to_string(entry.offset).c_str(), 1);
      setenv("PIFLEET_TYPE", entry.object.type.c_str(), 1);
      setenv("PIFLEET_ATTEMPT", std::to_string(attempt).c_str(), 1);
      execl("/bin/sh", "sh", "-c", o_.exec.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[0]);
    if (child < 0) return close(fds[1]), 127;
    size_t written = 0;
    while (written < line.size()) {
      const ssize_t n = write(fds[1], line.data() + written, line.size() - written);
      if (n <= 0) break;  // the command does not read its input: fine
      written += static_cast<size_t>(n);
    }
    close(fds[1]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // Waits for a put under the topic after `revision`, the group's next ack deadline (wait_ms),
  // kReclaimEveryMs, or a signal, whichever comes first.
  void WaitForNews(uint64_t revision, uint64_t wait_ms) {
    const auto start = std::chrono::steady_clock::now();
    const uint64_t limit_ms = wait_ms == 0 ? kReclaimEveryMs : std::min(wait_ms, kReclaimEveryMs);
    const std::string prefix = sm::TopicDataPrefix(o_.topic);
    wire::WatchRequestBody body{prefix, sm::PrefixEnd(prefix), revision + 1};
    while (!g_stop) {
      const auto waited = std::chrono::steady_clock::now() - start;
      if (waited >= std::chrono::milliseconds(limit_ms)) return;
      wire::WatchReplyBody got;
      if (!client_.PollWatch(endpoint_, body, &got)) {
        endpoint_ = (endpoint_ + 1) % client_.endpoint_count();
        return;  // claim again: its answer tells whether the cluster is reachable
      }
      if (got.status == wire::WatchReplyBody::kCompacted) return;
      for (const wire::WatchEventBody& event : got.events) {
        if (event.type == 0) return;
      }
      body.from_revision = got.next_revision;
      body.from_index = got.next_index;
    }
  }

  Client& client_;
  const GroupMemberOptions& o_;
  const std::string member_;
  size_t endpoint_ = 0;
  uint64_t processed_ = 0;
};

}  // namespace

int SubscribeInGroup(Context& context, const GroupMemberOptions& options) {
  std::unique_ptr<Client> client;
  if (Status s = Client::Create(context.client, &client); !s.ok()) {
    return FailCommand("topic subscribe", s);
  }
  GroupMember member(*client, options);
  return member.Run();
}

}  // namespace pifleet::cli
