// What the `pifleet topic` commands share (topic_command.cc, topic_read.cc): a topic request sent
// through the log, a refusal turned into its exit code (2 when it is the publisher's fault: bad
// JSON, too large, not its type), a page of a topic read through the log or from one node, and
// an object printed as one line.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/cli/command.h"
#include "agent/sm/topic_keys.h"
#include "agent/wire/client_messages.h"
#include "agent/wire/topic_bodies.h"

namespace pifleet::cli {

class Client;

// Sends one topic request; on kExitOk *value is the state machine's result text. Errors are
// printed and their exit code returned.
int TopicCall(const char* command, Context& context, const wire::TopicRequestBody& body,
              std::string* value);
// The same through `client`, for any op through the log whose reply is a KvReplyBody.
int TopicCallWith(Client& client, const char* command, wire::ClientOp op,
                  const std::string& payload, std::string* value);

struct TopicEntry {
  uint64_t offset = 0;
  sm::TopicObject object;
  uint64_t revision = 0;
};

struct TopicPage {
  bool exists = false;
  sm::TopicMeta meta;
  std::vector<TopicEntry> entries;  // in offset order, from the first retained at or after `from`
  bool more = false;                // more objects after the last entry
  uint64_t revision = 0;            // the store's revision the page was read at
};

// One page of `topic` from offset `from` (at most `limit`, 0: as many as one reply holds),
// through the log (linearizable) or from the answering node's state (`local`).
Status ReadTopicPage(Client& client, bool local, const std::string& topic, uint64_t from,
                     uint64_t limit, TopicPage* page);
// {"topic", "offset", "type", "data" (the JSON value), "published_by", "revision"}.
nlohmann::json EntryJson(const std::string& topic, const TopicEntry& entry);
// One line: the JSON object, or "OFFSET TYPE DATA" in plain text.
void PrintEntry(const std::string& topic, const TopicEntry& entry, bool json);

// `topic subscribe --group` (topic_group.cc).
struct GroupMemberOptions {
  std::string topic;
  std::string group;
  std::vector<std::string> types;
  uint64_t start = 0;  // a new group's first offset (sm::kStartLatest: latest)
  std::string exec;    // run for each object; "" prints it
  uint64_t ack_wait_ms = 0;
  uint64_t max_deliveries = 0;
  uint64_t batch = 0;
  uint64_t count = 0;  // exit 0 after processing this many (0: never)
  bool json = false;
};
int SubscribeInGroup(Context& context, const GroupMemberOptions& options);

}  // namespace pifleet::cli
