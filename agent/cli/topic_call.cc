#include "agent/cli/topic_call.h"

#include <cstdio>
#include <memory>

#include "agent/base/text.h"
#include "agent/cli/client.h"
#include "agent/cli/kv_txn_call.h"
#include "agent/sm/kv.h"
#include "agent/sm/topic_json.h"

namespace pifleet::cli {
namespace {

int Refused(const char* command, const std::string& why) {
  std::fprintf(stderr, "pifleet %s: %s\n", command, EscapeForTerminal(why).c_str());
  return why.starts_with(sm::kTopicInvalid) ? kExitUsage : kExitError;
}

Status DecodePage(const std::string& topic, const wire::TxnReplyBody& reply, TopicPage* page) {
  if (reply.responses.size() != 2) return Status::IOError("malformed topic reply");
  *page = TopicPage{};
  page->revision = reply.revision;
  const std::vector<wire::KvRow>& meta = reply.responses[0].rows;
  if (!meta.empty()) {
    const auto decoded = sm::DecodeTopicMeta(meta[0].value);
    if (!decoded) return Status::IOError("topic '" + topic + "' has a state this CLI cannot read");
    page->exists = true;
    page->meta = *decoded;
  }
  page->more = reply.responses[1].more;
  for (const wire::KvRow& row : reply.responses[1].rows) {
    const auto offset = sm::OffsetOfKey(topic, row.key);
    auto object = sm::DecodeTopicObject(row.value);
    if (!offset || !object) return Status::IOError("an object of '" + topic + "' is unreadable");
    page->entries.push_back({*offset, std::move(*object), row.mod_revision});
  }
  return Status::Ok();
}

}  // namespace

int TopicCall(const char* command, Context& context, const wire::TopicRequestBody& body,
              std::string* value) {
  std::unique_ptr<Client> client;
  if (Status status = Client::Create(context.client, &client); !status.ok()) {
    return FailCommand(command, status);
  }
  return TopicCallWith(*client, command, wire::ClientOp::kTopic, wire::EncodeBody(body), value);
}

int TopicCallWith(Client& client, const char* command, wire::ClientOp op,
                  const std::string& payload, std::string* value) {
  wire::ClientReply reply;
  if (Status status = client.Call(op, payload, &reply); !status.ok()) {
    return FailCommand(command, status);
  }
  if (reply.code != wire::ReplyCode::kOk) return Refused(command, reply.error);
  wire::KvReplyBody result;
  if (!wire::DecodeBody(reply.payload, &result)) {
    std::fprintf(stderr, "pifleet %s: malformed reply from the agent\n", command);
    return kExitError;
  }
  if (result.outcome == wire::KvReplyBody::Outcome::kRefused) {
    return Refused(command, "refused: " + result.value);
  }
  if (!result.ok) return Refused(command, result.value);
  *value = result.value;
  return kExitOk;
}

Status ReadTopicPage(Client& client, bool local, const std::string& topic, uint64_t from,
                     uint64_t limit, TopicPage* page) {
  wire::TxnReplyBody reply;
  if (local) {
    wire::ClientReply answer;
    if (Status status =
            client.Call(wire::ClientOp::kTopicRead,
                        wire::EncodeBody(wire::TopicReadBody{topic, from, limit}), &answer);
        !status.ok()) {
      return status;
    }
    if (answer.code != wire::ReplyCode::kOk) return Status::IOError(answer.error);
    if (!wire::DecodeBody(answer.payload, &reply)) return Status::IOError("malformed reply");
  } else {
    const std::string prefix = sm::TopicDataPrefix(topic);
    const wire::TxnRequestBody txn{
        {},
        {{wire::TxnOpBody::kRange, sm::TopicMetaKey(topic), "", "", 1, 0},
         {wire::TxnOpBody::kRange, sm::TopicDataKey(topic, from), sm::PrefixEnd(prefix), "", limit,
          0}},
        {}};
    if (Status status = TxnWith(client, txn, &reply); !status.ok()) return status;
  }
  return DecodePage(topic, reply, page);
}

nlohmann::json EntryJson(const std::string& topic, const TopicEntry& entry) {
  nlohmann::json data = nlohmann::json::parse(entry.object.data, nullptr, false);
  if (data.is_discarded()) data = entry.object.data;  // never stored so: shown as text
  return nlohmann::json{{"topic", topic},
                        {"offset", entry.offset},
                        {"type", entry.object.type},
                        {"data", std::move(data)},
                        {"published_by", entry.object.published_by},
                        {"revision", entry.revision}};
}

void PrintEntry(const std::string& topic, const TopicEntry& entry, bool json) {
  if (json) {
    std::printf("%s\n", DumpJson(EntryJson(topic, entry)).c_str());
  } else {
    std::printf("%llu %s %s\n", static_cast<unsigned long long>(entry.offset),
                entry.object.type.c_str(), entry.object.data.c_str());
  }
}

}  // namespace pifleet::cli
