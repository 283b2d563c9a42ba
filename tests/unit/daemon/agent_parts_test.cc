// The agent's parts through their seam (agent_context.h), without sockets or a core: a fake
// context records what a part proposes and sends, and a real state machine applies it.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "agent/daemon/agent_context.h"
#include "agent/daemon/client_requests.h"
#include "agent/daemon/daemon_constants.h"
#include "agent/daemon/job_host.h"
#include "agent/daemon/key_rotation.h"
#include "agent/daemon/lease_requests.h"
#include "agent/daemon/own_proposals.h"
#include "agent/store/posix_env.h"
#include "agent/wire/client_bodies.h"
#include "agent/wire/keyring_file.h"
#include "agent/wire/lease_bodies.h"

namespace pifleet::daemon {
namespace {

class FakeContext final : public AgentContext {
 public:
  uint64_t ticks() const override { return ticks_; }
  core::NodeId node_id() const override { return 7; }
  const core::Core* core() const override { return nullptr; }
  const sm::StateMachine& state_machine() const override { return sm_; }
  Logger& logger() override { return logger_; }
  Status Propose(const core::Command& command) override {
    proposed_.push_back(command);
    return propose_status_;
  }
  void SendTo(const net::UdpAddress& to, const wire::WireMessage& message) override {
    sent_.emplace_back(to, message);
  }
  void Post(std::function<void()> fn) override { posted_.push_back(std::move(fn)); }

  // Applies the last proposal to the state machine, as the log would.
  sm::KvResult ApplyLast(uint64_t slot) {
    const core::Command& command = proposed_.back();
    return sm_.Apply(slot, command.client_id, command.sequence, command.payload);
  }
  std::vector<wire::ClientReply> Replies() const {
    std::vector<wire::ClientReply> replies;
    for (const auto& [to, message] : sent_) {
      if (const auto* reply = std::get_if<wire::ClientReply>(&message)) replies.push_back(*reply);
    }
    return replies;
  }

  uint64_t ticks_ = 1;
  Status propose_status_ = Status::Ok();
  std::vector<core::Command> proposed_;
  std::vector<std::pair<net::UdpAddress, wire::WireMessage>> sent_;
  std::vector<std::function<void()>> posted_;
  sm::StateMachine sm_;
  Logger logger_{Logger::Sink::kStderr, Level::kError};
};

const net::UdpAddress kClient(asio::ip::make_address("127.0.0.1"), 40000);

wire::ClientRequest KvPut(uint64_t session, uint64_t sequence) {
  wire::KvRequestBody body;
  body.kind = static_cast<uint8_t>(sm::KvKind::kPut);
  body.key = "k";
  body.value = "v";
  wire::ClientRequest request{99, sequence, wire::ClientOp::kKv, wire::EncodeBody(body)};
  request.session = session;
  return request;
}

// Registers a session through ClientRequests and the state machine; returns its id.
uint64_t Register(FakeContext& context, ClientRequests& clients) {
  clients.HandleRegister({99, 1, wire::ClientOp::kRegister, ""}, kClient);
  const sm::KvResult result = context.ApplyLast(1);
  clients.OnApplied(context.proposed_.back(), result);
  const auto replies = context.Replies();
  EXPECT_EQ(replies.size(), 1u);
  wire::RegisterReplyBody body;
  EXPECT_TRUE(wire::DecodeBody(replies.back().payload, &body));
  EXPECT_EQ(body.session, result.session);
  context.sent_.clear();
  return body.session;
}

TEST(ClientRequests, AnswersAKvCommandOnceItIsApplied) {
  FakeContext context;
  ClientRequests clients(context);
  const uint64_t session = Register(context, clients);
  ASSERT_NE(session, 0u);
  clients.HandleKv(KvPut(session, 1), kClient);
  ASSERT_EQ(context.proposed_.back().client_id, session);
  EXPECT_TRUE(context.Replies().empty());  // waits for the log
  clients.OnApplied(context.proposed_.back(), context.ApplyLast(2));
  const auto replies = context.Replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].client_id, 99u);
  EXPECT_EQ(replies[0].sequence, 1u);
  EXPECT_EQ(replies[0].code, wire::ReplyCode::kOk);
  wire::KvReplyBody body;
  ASSERT_TRUE(wire::DecodeBody(replies[0].payload, &body));
  EXPECT_TRUE(body.ok);
  EXPECT_EQ(context.sm_.kv().Find("k"), "v");
  // The same command decided again (a retry through another node): counted, not re-answered.
  clients.OnApplied(context.proposed_.back(), context.ApplyLast(3));
  EXPECT_EQ(clients.sessions_duplicates(), 1u);
  EXPECT_EQ(context.Replies().size(), 1u);
}

TEST(ClientRequests, ARefusedProposalIsAnsweredAtOnce) {
  FakeContext context;
  ClientRequests clients(context);
  context.propose_status_ = Status::InvalidArgument("command over its bound");
  clients.HandleKv(KvPut(5, 1), kClient);
  context.propose_status_ = Status::IOError("not the leader");
  clients.HandleKv(KvPut(5, 2), kClient);
  const auto replies = context.Replies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].code, wire::ReplyCode::kError);  // out of bounds: no use retrying
  EXPECT_EQ(replies[0].error, "command over its bound");
  EXPECT_EQ(replies[1].code, wire::ReplyCode::kNoQuorum);  // worth a retry elsewhere
  EXPECT_EQ(clients.sessions_refused(), 0u);
}

TEST(ClientRequests, AKvCommandWithoutSessionOrBodyIsRefused) {
  FakeContext context;
  ClientRequests clients(context);
  clients.HandleKv(KvPut(0, 1), kClient);
  wire::ClientRequest garbage{99, 2, wire::ClientOp::kKv, "not msgpack"};
  garbage.session = 5;
  clients.HandleKv(garbage, kClient);
  // A write under the settings prefix: only `pifleet config set` writes there.
  wire::ClientRequest setting = KvPut(5, 3);
  wire::KvRequestBody body;
  ASSERT_TRUE(wire::DecodeBody(setting.payload, &body));
  body.key = "pifleet/config/voters";
  setting.payload = wire::EncodeBody(body);
  clients.HandleKv(setting, kClient);
  const auto replies = context.Replies();
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].error, "kv commands need a session");
  EXPECT_EQ(replies[1].error, "malformed kv request");
  EXPECT_NE(replies[2].error.find("pifleet config set"), std::string::npos) << replies[2].error;
  EXPECT_TRUE(context.proposed_.empty());
}

TEST(ClientRequests, AWaiterIsForgottenAfterTheWaitBound) {
  FakeContext context;
  ClientRequests clients(context);
  const uint64_t session = Register(context, clients);
  clients.HandleKv(KvPut(session, 1), kClient);
  const core::Command command = context.proposed_.back();
  context.ticks_ += kClientWaitTicks - 1;
  clients.ExpireWaiters();  // one tick early: still waiting
  context.ticks_ += 1;
  clients.ExpireWaiters();
  clients.OnApplied(command, context.ApplyLast(2));
  EXPECT_TRUE(context.Replies().empty());
}

TEST(LeaseRequests, AGrantIsAnsweredWhenAppliedAndListed) {
  FakeContext context;
  ClientRequests clients(context);
  OwnProposals own(context);
  LeaseRequests leases(context, clients, own);
  const uint64_t session = Register(context, clients);
  wire::LeaseRequestBody grant{wire::LeaseRequestBody::kGrant, 0, 5000};
  wire::ClientRequest request{99, 1, wire::ClientOp::kLease, wire::EncodeBody(grant)};
  request.session = session;
  leases.HandleRequest(request, kClient);
  EXPECT_TRUE(context.Replies().empty());  // waits for the log
  clients.OnApplied(context.proposed_.back(), context.ApplyLast(2));
  auto replies = context.Replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].code, wire::ReplyCode::kOk);
  wire::KvReplyBody granted;
  ASSERT_TRUE(wire::DecodeBody(replies[0].payload, &granted));
  EXPECT_TRUE(granted.ok);
  ASSERT_EQ(context.sm_.leases().leases().size(), 1u);

  context.sent_.clear();
  leases.HandleList({99, 2, wire::ClientOp::kLeaseList, ""}, kClient);
  replies = context.Replies();
  ASSERT_EQ(replies.size(), 1u);
  wire::LeaseListBody list;
  ASSERT_TRUE(wire::DecodeBody(replies[0].payload, &list));
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_EQ(list.rows[0].ttl_ms, 5000u);
  EXPECT_EQ(list.rows[0].remaining_ms, -1);  // no core here: not the leader, not counting
}

TEST(LeaseRequests, ARequestWithoutSessionOrBodyIsRefused) {
  FakeContext context;
  ClientRequests clients(context);
  OwnProposals own(context);
  LeaseRequests leases(context, clients, own);
  const wire::LeaseRequestBody grant{wire::LeaseRequestBody::kGrant, 0, 5000};
  leases.HandleRequest({99, 1, wire::ClientOp::kLease, wire::EncodeBody(grant)}, kClient);
  wire::ClientRequest garbage{99, 2, wire::ClientOp::kLease, "not msgpack"};
  garbage.session = 5;
  leases.HandleRequest(garbage, kClient);
  leases.ProposeExpiryIfDue();  // no core: nothing to expire
  const auto replies = context.Replies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].error, "lease commands need a session");
  EXPECT_EQ(replies[1].error, "malformed lease request");
  EXPECT_TRUE(context.proposed_.empty());
}

TEST(JobHost, ASubmitGoesThroughTheLogAndIsQueriedFromTheReplica) {
  FakeContext context;
  ClientRequests clients(context);
  OwnProposals own(context);
  JobHost jobs(context, clients, own);
  const uint64_t session = Register(context, clients);
  sm::JobCommand submit = sm::MakeJobCommand(sm::JobKind::kSubmit, 1);
  submit.spec.name = "j";
  submit.spec.end = 10;
  submit.spec.argv = {"true"};
  wire::ClientRequest request{99, 1, wire::ClientOp::kJob, sm::EncodeJobCommand(submit)};
  request.session = session;
  jobs.HandleRequest(request, kClient);
  const core::Command proposed = context.proposed_.back();
  EXPECT_EQ(proposed.client_id, session);
  // The agent's clock goes into the log, not the CLI's.
  EXPECT_GT(sm::DecodeJobCommand(proposed.payload)->now_ms, 1u);
  clients.OnApplied(proposed, context.ApplyLast(2));
  ASSERT_EQ(context.Replies().size(), 1u);
  EXPECT_EQ(context.Replies()[0].code, wire::ReplyCode::kOk) << context.Replies()[0].error;
  EXPECT_EQ(context.sm_.jobs().jobs().size(), 1u);

  // A claim is the worker's, never a client's.
  context.sent_.clear();
  wire::ClientRequest claim{99, 2, wire::ClientOp::kJob,
                            sm::EncodeJobCommand(sm::MakeJobCommand(sm::JobKind::kClaim, 1, 7))};
  claim.session = session;
  jobs.HandleRequest(claim, kClient);
  jobs.HandleQuery({99, 3, wire::ClientOp::kJobQuery, "not a query"}, kClient);
  const auto replies = context.Replies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].error, "malformed job request");
  EXPECT_EQ(replies[1].code, wire::ReplyCode::kError);
  EXPECT_EQ(context.proposed_.size(), 2u);  // the registration and the submit
}

class KeyRotationLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pifleet-keys-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    wire::KeyBytes key{};
    key[0] = 1;
    std::ofstream(dir_ + "/cluster.key") << wire::FormatKey(key) << "\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Status Load() {
    ClientRequests clients(context_);
    OwnProposals own(context_);
    KeyRotation keys(context_, own, clients, {store::PosixEnv(), dir_, dir_ + "/cluster.key"});
    Status status = keys.Load();
    loaded_keys_ = keys.keyring()->ids().size();
    return status;
  }
  FakeContext context_;
  std::string dir_;
  size_t loaded_keys_ = 0;
};

// As ssh does with private keys; the mode comes through the Env seam (Env::GetFileMode).
TEST_F(KeyRotationLoad, AKeyFileOthersMayReadIsRefused) {
  ASSERT_EQ(::chmod((dir_ + "/cluster.key").c_str(), 0644), 0);
  const Status status = Load();
  EXPECT_EQ(status.code(), Status::Code::kIOError);
  EXPECT_NE(status.message().find("has mode 0644"), std::string::npos) << status.message();
  EXPECT_FALSE(store::PosixEnv()->FileExists(dir_ + "/" + wire::kKeyringFileName));
}

TEST_F(KeyRotationLoad, AnOwnerOnlyKeyFileStartsThePersistedKeyring) {
  ASSERT_EQ(::chmod((dir_ + "/cluster.key").c_str(), 0600), 0);
  ASSERT_TRUE(Load().ok());
  EXPECT_EQ(loaded_keys_, 1u);
  EXPECT_TRUE(store::PosixEnv()->FileExists(dir_ + "/" + wire::kKeyringFileName));
}

}  // namespace
}  // namespace pifleet::daemon
