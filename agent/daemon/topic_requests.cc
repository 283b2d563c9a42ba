#include "agent/daemon/topic_requests.h"

#include "agent/sm/kv.h"
#include "agent/sm/topic_groups.h"
#include "agent/sm/topic_json.h"
#include "agent/sm/topics.h"
#include "agent/wire/topic_bodies.h"
#include "agent/wire/topic_group_body.h"

namespace pifleet::daemon {
namespace {

// The request as a state-machine command; *why says what is wrong with it otherwise.
sm::TopicCommand ToCommand(const wire::TopicRequestBody& body, std::string* why) {
  sm::TopicCommand c;
  c.topic = body.topic;
  c.type = body.type;
  switch (body.kind) {
    case wire::TopicRequestBody::kCreate:
      c.kind = sm::TopicCommandKind::kCreate;
      if (body.retain_count != 0) c.retain_count = body.retain_count;
      if (body.retain_bytes != 0) c.retain_bytes = body.retain_bytes;
      break;
    case wire::TopicRequestBody::kDelete:
      c.kind = sm::TopicCommandKind::kDelete;
      break;
    case wire::TopicRequestBody::kDefineType:
      c.kind = sm::TopicCommandKind::kDefineType;
      for (const auto& [name, kind] : body.fields) {
        const auto field_kind = static_cast<sm::FieldKind>(kind);
        if (sm::FieldKindName(field_kind) == "?") {
          *why = "field '" + name + "' has no known kind";
        }
        c.fields.push_back({name, field_kind});
      }
      break;
    default:
      c.kind = sm::TopicCommandKind::kPublish;
      c.create = body.create;
      if (why->empty()) *why = sm::CompactJson(body.data, &c.data);
      break;
  }
  return c;
}

void ProposeInSession(ClientRequests& clients, const wire::ClientRequest& request,
                      const net::UdpAddress& from, std::string payload) {
  clients.ProposeFor(
      request, from,
      {request.session, request.sequence, core::CommandKind::kApp, std::move(payload), {}});
}

std::string PublishedBy(const AgentContext& context) {
  const auto member = context.state_machine().members().Find(context.node_id());
  std::string name =
      member && !member->name.empty() ? member->name : "node " + std::to_string(context.node_id());
  if (name.size() > sm::kPublishedByBytesMax) name.resize(sm::kPublishedByBytesMax);
  return name;
}

}  // namespace

void HandleTopicRequest(AgentContext& context, ClientRequests& clients,
                        const wire::ClientRequest& request, const net::UdpAddress& from) {
  if (request.session == 0) {
    return Reply(context, from, request, wire::ReplyCode::kError, "",
                 "topic commands need a session");
  }
  wire::TopicRequestBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(context, from, request, wire::ReplyCode::kError, "", "malformed topic request");
  }
  std::string why;
  sm::TopicCommand command = ToCommand(body, &why);
  if (command.kind == sm::TopicCommandKind::kPublish) command.published_by = PublishedBy(context);
  if (why.empty()) why = sm::CheckTopicCommand(command);
  if (!why.empty()) return Reply(context, from, request, wire::ReplyCode::kError, "", why);
  ProposeInSession(clients, request, from, sm::EncodeTopicCommand(command));
}

void HandleTopicRead(AgentContext& context, const wire::ClientRequest& request,
                     const net::UdpAddress& from) {
  wire::TopicReadBody body;
  if (!wire::DecodeBody(request.payload, &body) || !sm::IsTopicName(body.topic)) {
    return Reply(context, from, request, wire::ReplyCode::kError, "", "malformed topic read");
  }
  const sm::KvStore& kv = context.state_machine().kv();
  sm::KvStore::Budget budget;
  wire::TxnReplyBody reply{kv.revision(), true, {{}, {}}};
  const std::string prefix = sm::TopicDataPrefix(body.topic);
  reply.responses[0].rows =
      kv.Range(sm::TopicMetaKey(body.topic), "", 1, &budget, &reply.responses[0].more);
  reply.responses[1].rows =
      kv.Range(sm::TopicDataKey(body.topic, body.from_offset), sm::PrefixEnd(prefix), body.limit,
               &budget, &reply.responses[1].more);
  Reply(context, from, request, wire::ReplyCode::kOk, wire::EncodeBody(reply));
}

void HandleTopicGroup(AgentContext& context, ClientRequests& clients,
                      const wire::ClientRequest& request, const net::UdpAddress& from) {
  if (request.session == 0) {
    return Reply(context, from, request, wire::ReplyCode::kError, "",
                 "topic group commands need a session");
  }
  wire::TopicGroupBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(context, from, request, wire::ReplyCode::kError, "",
                 "malformed topic group request");
  }
  sm::GroupCommand command{body.claim,          body.topic, body.group, body.member,
                           WallNowMs(),         body.max,   body.start, body.ack_wait_ms,
                           body.max_deliveries, body.types, {},         body.reason};
  for (const wire::TopicGroupAckBody& ack : body.acks) {
    command.acks.push_back({ack.offset, ack.attempt, static_cast<sm::GroupOutcome>(ack.outcome)});
  }
  if (std::string why = sm::CheckGroupCommand(command); !why.empty()) {
    return Reply(context, from, request, wire::ReplyCode::kError, "", why);
  }
  ProposeInSession(clients, request, from, sm::EncodeGroupCommand(command));
}

}  // namespace pifleet::daemon
