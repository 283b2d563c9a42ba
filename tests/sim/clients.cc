#include "tests/sim/clients.h"

namespace pifleet::sim {
namespace {
// "client.sequence"; built by appending (gcc 12 -O3 warns falsely on chained operator+).
std::string Dotted(uint64_t a, uint64_t b) {
  std::string out = std::to_string(a);
  out += '.';
  out += std::to_string(b);
  return out;
}
}  // namespace

ClientPool::ClientPool(core::Rng& rng, uint32_t clients, size_t history_ops_max)
    : rng_(rng), history_ops_max_(history_ops_max) {
  for (uint32_t i = 0; i < clients; ++i) {
    SimClient client;
    client.id = i + 1;
    clients_.push_back(client);
  }
}

const sm::KvOp& ClientPool::Begin(SimClient& client, int64_t now_us) {
  ++client.sequence;
  client.waiting = true;
  client.attempt = 0;
  sm::KvOp& op = client.op;
  op = sm::KvOp{};
  op.key = "k" + std::to_string(rng_.Between(0, kSimKeys - 1));
  const uint64_t pick = rng_.Between(0, 9);
  // Values are unique per operation so that the checker can tell writes apart.
  const std::string value = Dotted(client.id, client.sequence);
  lin::Operation record;
  record.client_id = client.id;
  record.key = op.key;
  record.call_time = now_us;
  if (pick < 4) {
    op.kind = sm::KvKind::kGet;
    record.kind = lin::OpKind::kGet;
  } else if (pick < 7) {
    op.kind = sm::KvKind::kPut;
    op.value = value;
    record.kind = lin::OpKind::kPut;
  } else if (pick < 9) {
    op.kind = sm::KvKind::kCas;
    op.value = value;
    // Expect a value some client may have written, or absence.
    op.expected = rng_.Chance(300000)
                      ? std::string()
                      : Dotted(rng_.Between(1, clients_.size()), rng_.Between(1, client.sequence));
    record.kind = lin::OpKind::kCas;
  } else {
    op.kind = sm::KvKind::kDelete;
    record.kind = lin::OpKind::kDelete;
  }
  record.value = op.value;
  record.expected = op.expected;
  if (history_.size() >= history_ops_max_) {
    if (cut_us_ < 0) cut_us_ = now_us;
    client.history_index = kNotRecorded;
    return op;
  }
  client.history_index = history_.size();
  history_.push_back(std::move(record));
  return op;
}

bool ClientPool::Complete(uint64_t client_id, uint64_t sequence, const sm::KvResult& result,
                          int64_t now_us) {
  SimClient& client = clients_[client_id - 1];
  if (!client.waiting || client.sequence != sequence) return false;
  client.waiting = false;
  ++completed_;
  if (result.outcome == sm::KvResult::Outcome::kRefused) {
    client.session = 0;
    return true;  // the outcome is unknown: the history keeps it pending
  }
  if (client.history_index == kNotRecorded) return true;
  if (cut_us_ >= 0 && now_us >= cut_us_) return true;  // stays pending (see the constructor)
  lin::Operation& record = history_[client.history_index];
  record.return_time = now_us;
  record.ok = result.ok;
  record.output = result.output;
  return true;
}

bool ClientPool::Registered(uint64_t client_id, uint64_t sequence, uint64_t session) {
  SimClient& client = clients_[client_id - 1];
  if (!client.waiting || client.sequence != sequence || client.session != 0) return false;
  client.session = session;
  return true;
}

uint64_t ClientPool::ClientOf(uint64_t command_client_id) const {
  if (command_client_id & kRegisterIdBit) return command_client_id & ~kRegisterIdBit;
  for (const SimClient& client : clients_) {
    if (client.session == command_client_id) return client.id;
  }
  return 0;
}

bool ClientPool::AllIdle() const {
  for (const SimClient& client : clients_) {
    if (client.waiting) return false;
  }
  return true;
}

}  // namespace pifleet::sim
