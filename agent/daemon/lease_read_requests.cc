#include "agent/daemon/lease_read_requests.h"

#include <vector>

namespace pifleet::daemon {
namespace {

constexpr const char* kNoLease =
    "this node holds no leader lease (it does not lead, or its voters did not grant one in time)";

bool RangesOnly(const wire::TxnRequestBody& txn) {
  if (!txn.compares.empty() || !txn.else_ops.empty() || txn.then_ops.empty()) return false;
  for (const wire::TxnOpBody& op : txn.then_ops) {
    if (op.kind != wire::TxnOpBody::kRange) return false;
  }
  return true;
}

}  // namespace

void LeaseReadRequests::Handle(node::NodeDriver& driver, const wire::ClientRequest& request,
                               const net::UdpAddress& from) {
  wire::TxnRequestBody txn;
  if (!wire::DecodeBody(request.payload, &txn) || !RangesOnly(txn)) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "malformed lease read (one to " + std::to_string(wire::kTxnOpsMax) +
                     " range ops, no compares)");
  }
  const uint64_t id = next_id_++;
  if (!driver.BeginLeaseRead(id)) {
    ++declined_;
    return Reply(context_, from, request, wire::ReplyCode::kNoQuorum, "", kNoLease);
  }
  waiting_.emplace(id, Waiter{request, from, std::move(txn)});
}

void LeaseReadRequests::AnswerDue(node::NodeDriver& driver) {
  std::vector<uint64_t> ready;
  std::vector<uint64_t> declined;
  driver.CollectLeaseReads(&ready, &declined);
  const sm::KvStore& kv = driver.state_machine().kv();
  for (uint64_t id : ready) {
    auto it = waiting_.find(id);
    if (it == waiting_.end()) continue;
    sm::KvStore::Budget budget;
    wire::TxnReplyBody reply{kv.revision(), true, {}};
    for (const wire::TxnOpBody& op : it->second.txn.then_ops) {
      wire::TxnResponseBody& response = reply.responses.emplace_back();
      response.rows = kv.Range(op.key, op.range_end, op.limit, &budget, &response.more);
    }
    Reply(context_, it->second.from, it->second.request, wire::ReplyCode::kOk,
          wire::EncodeBody(reply));
    waiting_.erase(it);
    ++served_;
  }
  for (uint64_t id : declined) {
    auto it = waiting_.find(id);
    if (it == waiting_.end()) continue;
    Reply(context_, it->second.from, it->second.request, wire::ReplyCode::kNoQuorum, "", kNoLease);
    waiting_.erase(it);
    ++declined_;
  }
}

}  // namespace pifleet::daemon
