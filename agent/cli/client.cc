#include "agent/cli/client.h"

#include <chrono>
#include <cstdio>

#include "agent/base/random.h"
#include "agent/base/text.h"
#include "agent/daemon/agent.h"
#include "agent/store/env.h"
#include "agent/store/posix_env.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::cli {
Status Client::Create(const ClientOptions& options, std::unique_ptr<Client>* out) {
  std::unique_ptr<Client> client(new Client());
  client->options_ = options;
  std::vector<net::Endpoint> endpoints;
  if (Status status = net::ParseEndpointList(options.endpoints, &endpoints); !status.ok()) {
    return status;
  }
  for (const net::Endpoint& endpoint : endpoints) {
    net::UdpAddress address;
    if (Status status = net::Resolve(client->io_, endpoint, &address); !status.ok()) return status;
    client->endpoints_.push_back(address);
    client->endpoint_texts_.push_back(endpoint.ToString());
  }
  std::string key_text;
  if (Status status = store::ReadFileToString(store::PosixEnv(), options.key_file, &key_text);
      !status.ok()) {
    // A file that cannot be read is an error (exit 1), not a usage one (docs/cli.md).
    return Status::IOError("cannot read the cluster key (--key-file " + options.key_file +
                           "): " + status.message());
  }
  wire::KeyBytes key;
  if (Status status = wire::ParseKey(key_text, &key); !status.ok()) {
    return Status::IOError(options.key_file + ": " + status.message());
  }
  if (Status status = client->keyring_.Install(key); !status.ok()) return status;
  const uint64_t cluster_id = daemon::ClusterIdFor(options.cluster);
  // A CLI process is its own sender with a random id and epoch (DESIGN §4).
  client->sealer_ =
      std::make_unique<wire::Sealer>(&client->keyring_, cluster_id, RandomU64(), RandomU32());
  client->opener_ =
      std::make_unique<wire::Opener>(&client->keyring_, cluster_id, wire::kDatagramBytesMax);
  client->client_id_ = RandomU64();
  client->socket_ = std::make_unique<net::UdpSocket>(client->io_);
  const auto any = client->endpoints_.front().address().is_v6()
                       ? asio::ip::address(asio::ip::address_v6::any())
                       : asio::ip::address(asio::ip::address_v4::any());
  if (Status status = client->socket_->Open(net::UdpAddress(any, 0)); !status.ok()) return status;
  *out = std::move(client);
  return Status::Ok();
}

bool Client::Attempt(size_t endpoint, const wire::ClientRequest& request, uint32_t wait_ms,
                     wire::ClientReply* reply) {
  const std::string bytes = wire::Encode(request);
  std::vector<std::vector<uint8_t>> plaintexts;
  if (!wire::Fragment(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                      message_id_++, wire::kDatagramBytesDefault - wire::kSealOverheadBytes,
                      &plaintexts)
           .ok()) {
    return false;
  }
  std::vector<uint8_t> datagram;
  for (const auto& plaintext : plaintexts) {
    if (!sealer_->Seal(plaintext, &datagram).ok()) return false;
    socket_->Send(endpoints_[endpoint], datagram);
  }
  bool answered = false;
  socket_->StartReceiving([&](std::span<const uint8_t> data, const net::UdpAddress&) {
    wire::Opened opened;
    if (opener_->Open(data, &opened) != wire::DropReason::kNone) return;
    std::vector<uint8_t> message;
    wire::DropReason reason;
    if (reassembler_.Add(opened.sender, opened.plaintext, 0, &message, &reason) !=
        wire::Reassembler::Result::kComplete) {
      return;
    }
    wire::WireMessage decoded;
    if (wire::Decode(message, &decoded) != wire::DropReason::kNone) return;
    const auto* got = std::get_if<wire::ClientReply>(&decoded);
    if (got == nullptr || got->client_id != request.client_id ||
        got->sequence != request.sequence) {
      return;  // a late answer to an earlier attempt or request
    }
    *reply = *got;
    answered = true;
    io_.stop();
  });
  io_.restart();
  io_.run_for(std::chrono::milliseconds(wait_ms));
  socket_->Cancel();
  io_.restart();
  io_.poll();  // runs the aborted receive before this frame's captures go away
  return answered;
}

Status Client::CallOne(size_t endpoint, wire::ClientOp op, const std::string& payload,
                       wire::ClientReply* reply) {
  const wire::ClientRequest request{client_id_, ++sequence_, op, payload};
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Attempt(endpoint, request, 300, reply)) return Status::Ok();
  }
  return Status::Timeout("no answer from " + endpoint_texts_[endpoint] + " within " +
                         std::to_string(options_.timeout_ms) +
                         " ms: no agent there, or a wrong --key-file or --cluster");
}

bool Client::Poll(size_t endpoint, wire::ClientOp op, const std::string& payload, uint32_t wait_ms,
                  wire::ClientReply* reply) {
  return Attempt(endpoint, wire::ClientRequest{client_id_, ++sequence_, op, payload}, wait_ms,
                 reply);
}

bool Client::PollWatch(size_t endpoint, wire::WatchRequestBody body, wire::WatchReplyBody* got) {
  body.wait_ms = kWatchHoldMs;
  wire::ClientReply reply;
  return Poll(endpoint, wire::ClientOp::kWatch, wire::EncodeBody(body),
              kWatchHoldMs + kWatchAnswerSlackMs, &reply) &&
         reply.code == wire::ReplyCode::kOk && wire::DecodeBody(reply.payload, got);
}

bool NeedsSession(wire::ClientOp op) {
  return op == wire::ClientOp::kKv || op == wire::ClientOp::kLease ||
         op == wire::ClientOp::kKeyInstall || op == wire::ClientOp::kKeyUse ||
         op == wire::ClientOp::kKeyRemove || op == wire::ClientOp::kJob ||
         op == wire::ClientOp::kConfigSet || op == wire::ClientOp::kTopic ||
         op == wire::ClientOp::kTopicGroup;
}

Status Client::Register() {
  wire::ClientReply reply;
  const wire::ClientRequest request{client_id_, ++sequence_, wire::ClientOp::kRegister, ""};
  if (Status status = CallRequest(request, &reply); !status.ok()) return status;
  wire::RegisterReplyBody body;
  if (reply.code != wire::ReplyCode::kOk || !wire::DecodeBody(reply.payload, &body) ||
      body.session == 0) {
    return Status::IOError("session registration refused: " +
                           (reply.error.empty() ? std::string("malformed reply") : reply.error));
  }
  session_ = body.session;
  return Status::Ok();
}

Status Client::Call(wire::ClientOp op, const std::string& payload, wire::ClientReply* reply) {
  if (NeedsSession(op) && session_ == 0) {
    if (Status status = Register(); !status.ok()) return status;
  }
  wire::ClientRequest request{client_id_, ++sequence_, op, payload};
  if (NeedsSession(op)) request.session = session_;
  return CallRequest(request, reply);
}

Status Client::Command(wire::ClientOp op, const std::string& payload, wire::KvReplyBody* body) {
  wire::ClientReply reply;
  if (Status status = Call(op, payload, &reply); !status.ok()) return status;
  return CheckCommandReply(reply, body);
}

Status Client::CallRequest(const wire::ClientRequest& request, wire::ClientReply* reply) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  uint32_t wait_ms = 200;
  std::string last_error;
  bool answered = false;
  for (size_t attempt = 0; std::chrono::steady_clock::now() < deadline; ++attempt) {
    const size_t endpoint = attempt % endpoints_.size();
    if (Attempt(endpoint, request, wait_ms, reply)) {
      if (reply->code != wire::ReplyCode::kNoQuorum) return Status::Ok();
      answered = true;
      last_error = reply->error;  // same sequence again: applied at most once
    }
    wait_ms = std::min<uint32_t>(wait_ms * 2, 1000);
  }
  if (!answered) return Status::Timeout(SilenceMessage());
  return Status::Timeout("no quorum within " + std::to_string(options_.timeout_ms) + " ms" +
                         (last_error.empty() ? "" : " (last answer: " + last_error + ")"));
}

std::string Client::SilenceMessage() const {
  std::string endpoints;
  for (const std::string& text : endpoint_texts_) {
    endpoints += (endpoints.empty() ? "" : ", ") + text;
  }
  // Agents drop, unanswered, what they cannot open: silence is all a wrong key ever gets.
  return "no agent answered within " + std::to_string(options_.timeout_ms) + " ms (" + endpoints +
         "): either no agent runs there, or the cluster key (--key-file " + options_.key_file +
         ") or the cluster name (--cluster " + options_.cluster +
         ") is not the cluster's; agents do not answer datagrams sealed with another key";
}

Status CheckCommandReply(const wire::ClientReply& reply, wire::KvReplyBody* body) {
  if (reply.code != wire::ReplyCode::kOk) return Status::IOError(reply.error);
  if (!wire::DecodeBody(reply.payload, body)) {
    return Status::IOError("malformed reply from the agent");
  }
  if (!body->ok || body->outcome == wire::KvReplyBody::Outcome::kRefused) {
    return Status::IOError("refused: " + body->value);
  }
  return Status::Ok();
}

int FailCommand(const char* command, const Status& status) {
  std::fprintf(stderr, "pifleet %s: %s\n", command,
               EscapeLinesForTerminal(status.message()).c_str());
  if (status.code() == Status::Code::kTimeout) return kExitNoQuorum;
  if (status.code() == Status::Code::kInvalidArgument) return kExitUsage;
  return kExitError;
}

int CallCommand(const char* command, const ClientOptions& options, wire::ClientOp op,
                const std::string& payload, wire::ClientReply* reply) {
  std::unique_ptr<Client> client;
  if (Status status = Client::Create(options, &client); !status.ok()) {
    return FailCommand(command, status);
  }
  if (Status status = client->Call(op, payload, reply); !status.ok()) {
    return FailCommand(command, status);
  }
  if (reply->code != wire::ReplyCode::kOk) {
    std::fprintf(stderr, "pifleet %s: %s\n", command, EscapeForTerminal(reply->error).c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace pifleet::cli
