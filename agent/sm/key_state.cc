#include "agent/sm/key_state.h"

#include "agent/base/assert.h"

namespace pifleet::sm {

std::string KeyState::Apply(uint64_t slot, uint64_t client_id, uint64_t sequence,
                            std::string_view payload) {
  const CommandId id{client_id, sequence};
  if (auto done = results_.find(id); done != results_.end()) return done->second;
  std::string error;
  const auto command = DecodeKeyCommand(payload);
  if (!command) {
    error = "malformed key command";
  } else if (command->kind == KeyCommandKind::kState) {
    reports_.Apply(slot, *command);
  } else {
    error = keyring_.Apply(slot, *command);
  }
  if (results_order_.size() >= kKeyResultsMax) {
    results_.erase(results_order_.front());
    results_order_.pop_front();
  }
  results_.emplace(id, error);
  results_order_.push_back(id);
  PIFLEET_ASSERT(results_.size() == results_order_.size());
  return error;
}

std::optional<std::string> KeyState::Result(uint64_t client_id, uint64_t sequence) const {
  auto it = results_.find({client_id, sequence});
  if (it == results_.end()) return std::nullopt;
  return it->second;
}

void KeyState::EncodeTo(ByteWriter& w) const {
  keyring_.EncodeTo(w);
  reports_.EncodeTo(w);
  w.U64(results_order_.size());
  for (const CommandId& id : results_order_) {
    w.U64(id.first);
    w.U64(id.second);
    w.Str(results_.at(id));
  }
}

bool KeyState::DecodeFrom(ByteReader& r) {
  ClusterKeys keyring;
  KeyTable reports;
  if (!keyring.DecodeFrom(r) || !reports.DecodeFrom(r)) return false;
  std::map<CommandId, std::string> results;
  std::deque<CommandId> order;
  const uint64_t count = r.Count(8 + 8 + 8);
  if (count > kKeyResultsMax) return false;
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    const uint64_t client_id = r.U64();
    const uint64_t sequence = r.U64();
    std::string error = r.Str();
    if (!r.ok || !results.emplace(CommandId{client_id, sequence}, std::move(error)).second) {
      return false;  // short, or the same command twice
    }
    order.emplace_back(client_id, sequence);
  }
  if (!r.ok) return false;
  keyring_ = std::move(keyring);
  reports_ = std::move(reports);
  results_ = std::move(results);
  results_order_ = std::move(order);
  return true;
}

}  // namespace pifleet::sm
