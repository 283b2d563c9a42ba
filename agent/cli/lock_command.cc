// `pifleet lock NAME [--ttl S] -- CMD ARGS...`: runs CMD holding the lock NAME, FIFO and fenced
// (etcd's concurrency.Mutex, notes §5). The CLI grants a lease of S seconds and puts the key
// lock/NAME/<lease id> with it; the waiter whose key has the lowest create revision holds the
// lock, and every other waits only for the deletion of the key just below its own (no herd).
// CMD runs with PIFLEET_LOCK_TOKEN = the create revision of our key, which rises with every
// holder: a resource that refuses tokens lower than the highest it has seen is fenced against a
// holder that lost its lease while paused. The lease is kept alive while CMD runs; at its end
// the lease is revoked (the key goes with it) and the CLI exits with CMD's code (128 + signal
// when a signal ended it). A holder that dies leaves its key until its lease expires: TTL plus
// at most kLeaseCheckTicks (200 ms, daemon_constants.h) and one commit on the leader.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "agent/cli/kv_txn_call.h"
#include "agent/cli/lease_call.h"
#include "agent/sm/kv.h"
#include "agent/wire/watch_bodies.h"

namespace pifleet::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Lock {
  Client* client = nullptr;
  uint64_t lease = 0;
  uint64_t ttl_ms = 0;
  std::string prefix;
  std::string key;
  uint64_t token = 0;  // our key's create revision
  Clock::time_point renewed;
};

Status KeepAliveIfDue(Lock& lock) {
  if (Clock::now() - lock.renewed < std::chrono::milliseconds(lock.ttl_ms / 3)) {
    return Status::Ok();
  }
  std::string ttl;
  if (Status s = LeaseCall(*lock.client, {wire::LeaseRequestBody::kKeepAlive, lock.lease, 0}, &ttl);
      !s.ok()) {
    return Status::IOError("lost the lock's lease " + std::to_string(lock.lease) + ": " +
                           s.message());
  }
  lock.renewed = Clock::now();
  return Status::Ok();
}

// Waits until `key` is deleted at a revision after `revision`, renewing the lease meanwhile.
Status WaitForDelete(Lock& lock, const std::string& key, uint64_t revision) {
  // Held at most a sixth of the TTL, so the keepalives between polls stay well inside it.
  const auto hold_ms = static_cast<uint32_t>(std::min<uint64_t>(1000, lock.ttl_ms / 6));
  wire::WatchRequestBody body{key, "", revision + 1, 0, hold_ms};
  size_t endpoint = 0;
  while (true) {
    if (Status s = KeepAliveIfDue(lock); !s.ok()) return s;
    wire::ClientReply reply;
    wire::WatchReplyBody got;
    if (!lock.client->Poll(endpoint, wire::ClientOp::kWatch, wire::EncodeBody(body), hold_ms + 700,
                           &reply) ||
        reply.code != wire::ReplyCode::kOk || !wire::DecodeBody(reply.payload, &got) ||
        got.status != wire::WatchReplyBody::kEvents) {
      endpoint = (endpoint + 1) % lock.client->endpoint_count();  // a compacted node: look again
      if (got.status == wire::WatchReplyBody::kCompacted) return Status::Ok();
      continue;
    }
    for (const wire::WatchEventBody& event : got.events) {
      if (event.type == 1) return Status::Ok();
    }
    body.from_revision = got.next_revision;
    body.from_index = got.next_index;
  }
}

// Until we hold the lock: the holder is the lowest create revision; else wait for the
// predecessor's deletion and look again.
Status Acquire(Lock& lock) {
  while (true) {
    wire::TxnReplyBody reply;
    const wire::TxnOpBody range{
        wire::TxnOpBody::kRange, lock.prefix, sm::PrefixEnd(lock.prefix), "", 0, 0};
    if (Status s = TxnWith(*lock.client, {{}, {range}, {}}, &reply); !s.ok()) return s;
    const wire::KvRow* predecessor = nullptr;
    for (const wire::KvRow& row : reply.responses.at(0).rows) {
      if (row.create_revision < lock.token &&
          (predecessor == nullptr || row.create_revision > predecessor->create_revision)) {
        predecessor = &row;
      }
    }
    if (predecessor == nullptr) return Status::Ok();
    if (Status s = WaitForDelete(lock, predecessor->key, reply.revision); !s.ok()) return s;
  }
}

int RunHolding(Lock& lock, const std::vector<std::string>& command) {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == 0) {
    setenv("PIFLEET_LOCK_TOKEN", std::to_string(lock.token).c_str(), 1);
    std::vector<char*> argv;
    argv.reserve(command.size() + 1);
    for (const std::string& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "pifleet lock: cannot run %s\n", argv[0]);
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, WNOHANG) == 0) {
    if (Status s = KeepAliveIfDue(lock); !s.ok()) {
      std::fprintf(stderr, "pifleet lock: %s (the command runs on unprotected)\n",
                   s.message().c_str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunLock(Context& context, const std::string& name, uint64_t ttl_s,
            const std::vector<std::string>& command) {
  std::unique_ptr<Client> client;
  if (Status status = Client::Create(context.client, &client); !status.ok()) {
    return FailCommand("lock", status);
  }
  Lock lock{client.get(), 0, ttl_s * 1000, "lock/" + name + "/", "", 0, Clock::now()};
  std::string id;
  if (Status s = LeaseCall(*client, {wire::LeaseRequestBody::kGrant, 0, lock.ttl_ms}, &id);
      !s.ok()) {
    return FailCommand("lock", s);
  }
  lock.lease = std::stoull(id);
  lock.key = lock.prefix + id;
  wire::TxnReplyBody put;
  if (Status s = TxnWith(
          *client, {{}, {{wire::TxnOpBody::kPut, lock.key, "", "", 0, lock.lease}}, {}}, &put);
      !s.ok()) {
    return FailCommand("lock", s);
  }
  lock.token = put.revision;  // a new key: its create revision is the put's
  if (Status s = Acquire(lock); !s.ok()) return FailCommand("lock", s);
  const int code = RunHolding(lock, command);
  std::string ignored;
  (void)LeaseCall(*client, {wire::LeaseRequestBody::kRevoke, lock.lease, 0}, &ignored);
  return code;
}

}  // namespace

void InstallLockCommand(CLI::App& app, Context& context) {
  auto name = std::make_shared<std::string>();
  auto ttl_s = std::make_shared<uint64_t>(10);
  auto command = std::make_shared<std::vector<std::string>>();
  auto* lock = app.add_subcommand(
      "lock", "Run CMD holding the lock NAME (FIFO; PIFLEET_LOCK_TOKEN: the fencing token)");
  lock->add_option("NAME", *name, "Lock name")->required();
  lock->add_option("--ttl", *ttl_s,
                   "Lease TTL in seconds: a holder that dies frees the lock "
                   "this long after")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  lock->add_option("CMD", *command, "Command and its arguments, after --")->required();
  lock->callback([=, &context] { context.exit_code = RunLock(context, *name, *ttl_s, *command); });
}

}  // namespace pifleet::cli
