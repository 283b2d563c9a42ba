// The client side of `pifleet status|members|kv|leave|metrics|key`: one sealed request to an
// agent, retried on the same (session, sequence) across the endpoints until answered or timed
// out, so a retried write applies once. Commands through the log first register a session
// (docs/formats.md, "Client protocol").
#pragma once

#include <asio.hpp>

#include <memory>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/cli/command.h"
#include "agent/net/udp_socket.h"
#include "agent/wire/client_bodies.h"
#include "agent/wire/codec.h"
#include "agent/wire/fragments.h"
#include "agent/wire/seal.h"
#include "agent/wire/watch_bodies.h"

namespace pifleet::cli {

class Client {
 public:
  static Status Create(const ClientOptions& options, std::unique_ptr<Client>* out);

  // Timeout when no agent answered in time; the reply may still carry an error code.
  Status Call(wire::ClientOp op, const std::string& payload, wire::ClientReply* reply);
  // The same request to one endpoint only (`status` of every node).
  Status CallOne(size_t endpoint, wire::ClientOp op, const std::string& payload,
                 wire::ClientReply* reply);
  // One request with a new sequence to one endpoint, waiting up to wait_ms for its answer (a
  // watch the node may hold); false when none came.
  bool Poll(size_t endpoint, wire::ClientOp op, const std::string& payload, uint32_t wait_ms,
            wire::ClientReply* reply);
  // How long a node may hold a watch request, and the slack beyond that before the caller
  // takes the node for dead and asks the next one.
  static constexpr uint32_t kWatchHoldMs = 1000;
  static constexpr uint32_t kWatchAnswerSlackMs = 700;
  // One long poll of a watch at one endpoint, held there up to kWatchHoldMs (body.wait_ms is
  // set here): false when the node did not answer in time, refused, or sent a malformed body.
  bool PollWatch(size_t endpoint, wire::WatchRequestBody body, wire::WatchReplyBody* got);
  // A command through the log: Call, then the state machine's answer (CheckCommandReply).
  Status Command(wire::ClientOp op, const std::string& payload, wire::KvReplyBody* body);
  size_t endpoint_count() const { return endpoints_.size(); }
  const std::string& endpoint_text(size_t i) const { return endpoint_texts_[i]; }
  uint64_t client_id() const { return client_id_; }
  uint64_t session() const { return session_; }

 private:
  Client() = default;
  std::string SilenceMessage() const;  // why no agent may have answered at all
  // Registers a session through the log (once per process), for commands that need one.
  Status Register();
  Status CallRequest(const wire::ClientRequest& request, wire::ClientReply* reply);
  bool Attempt(size_t endpoint, const wire::ClientRequest& request, uint32_t wait_ms,
               wire::ClientReply* reply);

  ClientOptions options_;
  asio::io_context io_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::vector<net::UdpAddress> endpoints_;
  std::vector<std::string> endpoint_texts_;
  wire::Keyring keyring_;
  std::unique_ptr<wire::Sealer> sealer_;
  std::unique_ptr<wire::Opener> opener_;
  wire::Reassembler reassembler_;
  uint64_t client_id_ = 0;
  uint64_t sequence_ = 0;
  uint64_t session_ = 0;
  uint32_t message_id_ = 1;
};

// Prints "pifleet COMMAND: why" and returns the exit code for status (cli/command.h).
int FailCommand(const char* command, const Status& status);
// The state machine's answer in the reply to a command through the log: an error reply, a
// malformed body or a refusal ("refused: why") is an IOError.
Status CheckCommandReply(const wire::ClientReply& reply, wire::KvReplyBody* body);

// True for operations that go through the log in a session.
bool NeedsSession(wire::ClientOp op);
// One request through a new Client; on success (kExitOk) *reply holds an ok answer, otherwise
// the error is printed and the exit code returned.
int CallCommand(const char* command, const ClientOptions& options, wire::ClientOp op,
                const std::string& payload, wire::ClientReply* reply);

}  // namespace pifleet::cli
