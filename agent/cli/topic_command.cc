// `pifleet topic publish|create|delete|list|type` (docs/topics.md): typed objects in topics,
// kept in the replicated store. Writes go through the log; `list` and `type list` read through
// it. Malformed JSON, data over sm::kTopicDataBytesMax, a publish that does not match its type
// and bad names exit 2 (naming the field or the bound); an unknown topic exits 1 and stores
// nothing. `read` and `subscribe` are in topic_read.cc.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "agent/cli/client.h"
#include "agent/cli/kv_txn_call.h"
#include "agent/cli/topic_call.h"
#include "agent/sm/kv.h"
#include "agent/sm/topic_groups.h"
#include "agent/sm/topic_json.h"
#include "agent/store/env.h"
#include "agent/store/posix_env.h"

namespace pifleet::cli {

void InstallTopicReadCommands(CLI::App& topic, Context& context);  // topic_read.cc

namespace {

// --data JSON, or @FILE (@- reads stdin), made compact; exit 2 when it is no JSON or too large.
int LoadData(const std::string& arg, std::string* compact) {
  std::string text = arg;
  if (arg.starts_with("@")) {
    const std::string file = arg.substr(1);
    if (file == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else if (Status s = store::ReadFileToString(store::PosixEnv(), file, &text); !s.ok()) {
      return FailCommand("topic publish",
                         Status::IOError("cannot read " + file + ": " + s.message()));
    }
  }
  if (std::string why = sm::CompactJson(text, compact); !why.empty()) {
    return FailCommand("topic publish", Status::InvalidArgument(why));
  }
  return kExitOk;
}

int Publish(Context& context, wire::TopicRequestBody body, const std::string& data, bool json) {
  if (const int code = LoadData(data, &body.data); code != kExitOk) return code;
  std::string value;
  if (const int code = TopicCall("topic publish", context, body, &value); code != kExitOk) {
    return code;
  }
  const std::string offset = value.substr(0, value.find(' '));
  if (json) {
    std::printf("{\"offset\": %s}\n", offset.c_str());
  } else {
    std::printf("%s\n", offset.c_str());
  }
  return kExitOk;
}

// --each-line @FILE|@-: one object per non-empty line, through one client, in order; a line
// that is no JSON stops it (exit 2) after the lines before it were published.
int PublishLines(Context& context, wire::TopicRequestBody body, const std::string& source,
                 bool json) {
  std::string text;
  const std::string file = source.starts_with("@") ? source.substr(1) : source;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else if (Status s = store::ReadFileToString(store::PosixEnv(), file, &text); !s.ok()) {
    return FailCommand("topic publish",
                       Status::IOError("cannot read " + file + ": " + s.message()));
  }
  std::unique_ptr<Client> client;
  if (Status s = Client::Create(context.client, &client); !s.ok()) {
    return FailCommand("topic publish", s);
  }
  std::istringstream lines(text);
  size_t number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (std::string why = sm::CompactJson(line, &body.data); !why.empty()) {
      return FailCommand("topic publish",
                         Status::InvalidArgument("line " + std::to_string(number) + ": " + why));
    }
    std::string value;
    if (const int code = TopicCallWith(*client, "topic publish", wire::ClientOp::kTopic,
                                       wire::EncodeBody(body), &value);
        code != kExitOk) {
      return code;
    }
    const std::string offset = value.substr(0, value.find(' '));
    std::printf(json ? "{\"offset\": %s}\n" : "%s\n", offset.c_str());
    std::fflush(stdout);  // each offset as soon as it is acknowledged, to a pipe too
  }
  return kExitOk;
}

int DefineType(Context& context, const std::string& type, const std::vector<std::string>& specs) {
  wire::TopicRequestBody body;
  body.kind = wire::TopicRequestBody::kDefineType;
  body.type = type;
  for (const std::string& spec : specs) {
    const size_t colon = spec.rfind(':');
    const auto kind =
        colon == std::string::npos ? std::nullopt : sm::FieldKindFromName(spec.substr(colon + 1));
    if (!kind) {
      return FailCommand("topic type define",
                         Status::InvalidArgument("--field " + spec +
                                                 ": give NAME:int|float|string|bool|object|array"));
    }
    body.fields.emplace_back(spec.substr(0, colon), static_cast<uint8_t>(*kind));
  }
  std::string value;
  const int code = TopicCall("topic type define", context, body, &value);
  if (code == kExitOk) std::printf("OK\n");
  return code;
}

// Every row under `prefix`, through the log (the prefixes hold at most kTopicsMax / kTypesMax).
int ListRows(const char* command, Context& context, std::string_view prefix,
             std::vector<wire::KvRow>* rows) {
  wire::TxnReplyBody reply;
  const std::string key(prefix);
  const int code =
      TxnCall(command, context,
              {{}, {{wire::TxnOpBody::kRange, key, sm::PrefixEnd(key), "", 0, 0}}, {}}, &reply);
  if (code == kExitOk) *rows = reply.responses.at(0).rows;
  return code;
}

int ListTypes(Context& context, bool json) {
  std::vector<wire::KvRow> rows;
  if (const int code = ListRows("topic type list", context, sm::kTopicTypePrefix, &rows)) {
    return code;
  }
  for (const wire::KvRow& row : rows) {
    const std::string name = row.key.substr(sm::kTopicTypePrefix.size());
    const auto fields = sm::DecodeTopicType(row.value);
    if (!fields) continue;
    nlohmann::json out{
        {"type", name}, {"fields", nlohmann::json::object()}, {"revision", row.mod_revision}};
    std::string text = name;
    for (const sm::TypeField& field : *fields) {
      out["fields"][field.name] = std::string(sm::FieldKindName(field.kind));
      text += " " + field.name + ":" + std::string(sm::FieldKindName(field.kind));
    }
    std::printf("%s\n", json ? DumpJson(out).c_str() : text.c_str());
  }
  return kExitOk;
}

int ListTopics(Context& context, bool json) {
  std::vector<wire::KvRow> rows;
  if (const int code = ListRows("topic list", context, sm::kTopicMetaPrefix, &rows)) return code;
  if (!json)
    std::printf("%-24s %10s %10s %12s %12s\n", "TOPIC", "FIRST", "NEXT", "BYTES", "RETAIN");
  for (const wire::KvRow& row : rows) {
    const std::string name = row.key.substr(sm::kTopicMetaPrefix.size());
    const auto meta = sm::DecodeTopicMeta(row.value);
    if (!meta) continue;
    if (json) {
      std::printf("%s\n", DumpJson({{"topic", name},
                                    {"first_offset", meta->first_offset},
                                    {"next_offset", meta->next_offset},
                                    {"count", meta->next_offset - meta->first_offset},
                                    {"bytes", meta->bytes},
                                    {"retain_count", meta->retain_count},
                                    {"retain_bytes", meta->retain_bytes}})
                              .c_str());
    } else {
      std::printf("%-24s %10llu %10llu %12llu %5llu/%llu\n", name.c_str(),
                  static_cast<unsigned long long>(meta->first_offset),
                  static_cast<unsigned long long>(meta->next_offset),
                  static_cast<unsigned long long>(meta->bytes),
                  static_cast<unsigned long long>(meta->retain_count),
                  static_cast<unsigned long long>(meta->retain_bytes));
    }
  }
  return kExitOk;
}

int ListGroups(Context& context, const std::string& topic, bool json) {
  std::vector<wire::KvRow> rows;
  if (const int code = ListRows("topic groups", context, sm::GroupsPrefix(topic), &rows)) {
    return code;
  }
  if (!json) {
    std::printf("%-20s %10s %8s %10s %7s %8s %9s %s\n", "GROUP", "NEXT", "PENDING", "ACKED",
                "PARKED", "DROPPED", "ACK_WAIT", "TYPES");
  }
  for (const wire::KvRow& row : rows) {
    const std::string name = row.key.substr(sm::GroupsPrefix(topic).size());
    const auto g = sm::DecodeGroupState(row.value);
    if (!g) continue;
    if (json) {
      std::printf("%s\n", DumpJson({{"group", name},
                                    {"next_offset", g->next_offset},
                                    {"pending", g->pending.size()},
                                    {"acked", g->acked},
                                    {"parked", g->parked},
                                    {"dropped", g->dropped},
                                    {"ack_wait_ms", g->ack_wait_ms},
                                    {"max_deliveries", g->max_deliveries},
                                    {"types", g->types}})
                              .c_str());
      continue;
    }
    std::string types;
    for (const std::string& type : g->types) types += (types.empty() ? "" : ",") + type;
    std::printf("%-20s %10llu %8zu %10llu %7llu %8llu %8.1fs %s\n", name.c_str(),
                static_cast<unsigned long long>(g->next_offset), g->pending.size(),
                static_cast<unsigned long long>(g->acked),
                static_cast<unsigned long long>(g->parked),
                static_cast<unsigned long long>(g->dropped),
                static_cast<double>(g->ack_wait_ms) / 1000, types.empty() ? "*" : types.c_str());
  }
  return kExitOk;
}

void InstallPublish(CLI::App& topic, Context& context) {
  auto body = std::make_shared<wire::TopicRequestBody>();
  auto data = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* publish = topic.add_subcommand("publish", "Publish one typed JSON object to TOPIC");
  publish->add_option("TOPIC", body->topic, "Topic")->required();
  publish->add_option("--type", body->type, "The object's type")->required();
  auto lines = std::make_shared<std::string>();
  auto* data_option =
      publish->add_option("--data", *data, "The JSON value, or @FILE (@- reads stdin)");
  auto* lines_option = publish->add_option(
      "--each-line", *lines, "@FILE or @-: publish each line as one object, in order");
  data_option->excludes(lines_option);
  lines_option->excludes(data_option);
  publish->add_flag("--create", body->create,
                    "Create TOPIC with the default retention when it does not exist");
  publish->add_flag("--json", *json, R"(Print {"offset": N})");
  publish->callback([=, &context] {
    if (data_option->count() + lines_option->count() != 1) {
      context.exit_code = FailCommand(
          "topic publish", Status::InvalidArgument("give --data JSON|@FILE or --each-line @FILE"));
      return;
    }
    context.exit_code = lines_option->count() == 1 ? PublishLines(context, *body, *lines, *json)
                                                   : Publish(context, *body, *data, *json);
  });
}

void InstallTopics(CLI::App& topic, Context& context) {
  auto body = std::make_shared<wire::TopicRequestBody>();
  auto json = std::make_shared<bool>(false);
  auto* create = topic.add_subcommand("create", "Create TOPIC with its retention");
  create->add_option("TOPIC", body->topic, "Topic")->required();
  create->add_option("--retain-count", body->retain_count,
                     "Keep at most N objects (default 100000)");
  create->add_option("--retain-bytes", body->retain_bytes,
                     "Keep at most B bytes of objects, 1 KiB overhead each (default 16 MiB)");
  create->callback([=, &context] {
    body->kind = wire::TopicRequestBody::kCreate;
    std::string value;
    context.exit_code = TopicCall("topic create", context, *body, &value);
    if (context.exit_code == kExitOk) std::printf("OK\n");
  });
  auto* remove = topic.add_subcommand("delete", "Delete TOPIC and every object it holds");
  remove->add_option("TOPIC", body->topic, "Topic")->required();
  remove->callback([=, &context] {
    body->kind = wire::TopicRequestBody::kDelete;
    std::string value;
    context.exit_code = TopicCall("topic delete", context, *body, &value);
    if (context.exit_code == kExitOk) {
      std::printf("deleted %s objects\n", value.substr(value.find(' ') + 1).c_str());
    }
  });
  auto* list = topic.add_subcommand("list", "Every topic with its offsets and retention");
  list->add_flag("--json", *json,
                 "One object per topic: topic, first_offset, next_offset, count, bytes, "
                 "retain_count, retain_bytes");
  list->callback([=, &context] { context.exit_code = ListTopics(context, *json); });
  auto* groups = topic.add_subcommand("groups", "The consumer groups of TOPIC");
  groups->add_option("TOPIC", body->topic, "Topic")->required();
  groups->add_flag("--json", *json,
                   "One object per group: group, next_offset, pending, acked, parked, dropped, "
                   "ack_wait_ms, max_deliveries, types");
  groups->callback([=, &context] { context.exit_code = ListGroups(context, body->topic, *json); });
}

void InstallTypes(CLI::App& topic, Context& context) {
  auto* type = topic.add_subcommand("type", "Object types and their required fields");
  type->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto fields = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  auto* define = type->add_subcommand("define", "Define (or redefine) type T");
  define->add_option("T", *name, "Type name")->required();
  define->add_option("--field", *fields, "NAME:int|float|string|bool|object|array (repeat)");
  define->callback([=, &context] { context.exit_code = DefineType(context, *name, *fields); });
  auto* list = type->add_subcommand("list", "Every defined type");
  list->add_flag("--json", *json, "One object per type: type, fields {name: kind}, revision");
  list->callback([=, &context] { context.exit_code = ListTypes(context, *json); });
}

}  // namespace

void InstallTopicCommand(CLI::App& app, Context& context) {
  auto* topic =
      app.add_subcommand("topic", "Typed topics: publish, read, subscribe (docs/topics.md)");
  topic->require_subcommand(1);
  topic->footer(
      "Exit codes: 0 done, 1 refused (an unknown topic, ...) or no agent answered, 2 usage, "
      "malformed JSON, data over 61440 bytes, or data that does not match its type, 3 timeout.");
  InstallPublish(*topic, context);
  InstallTopics(*topic, context);
  InstallTypes(*topic, context);
  InstallTopicReadCommands(*topic, context);
}

}  // namespace pifleet::cli
