// A tiny in-memory network of cores for role tests, after etcd/raft's raft_test.go harness:
// every record syncs at once, messages are delivered in order, and links can be cut.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "agent/core/core.h"

namespace pifleet::core::testing {

inline Config MakeConfig(std::vector<NodeId> voters, std::vector<NodeId> learners = {}) {
  Config config;
  config.voters = std::move(voters);
  config.learners = std::move(learners);
  return config;
}

inline CoreOptions MakeOptions(NodeId id, const Config& config) {
  CoreOptions options;
  options.id = id;
  options.initial_config = config;
  options.seed = id * 7919;
  return options;
}

inline Command MakeCommand(uint64_t client, uint64_t sequence, const char* payload = "x") {
  Command command;
  command.client_id = client;
  command.sequence = sequence;
  command.payload = payload;
  return command;
}

// Everything one TakeReady produced, flattened.
struct Output {
  std::vector<Record> records;
  std::vector<Envelope> messages;
  std::vector<Envelope> after_sync;
  std::vector<Decision> committed;
  std::vector<SnapshotInstall> installs;
  std::vector<SnapshotSave> saves;
};

inline Output Take(Core& core) {
  Output out;
  while (core.HasReady()) {
    Ready ready = core.TakeReady();
    for (auto& r : ready.records) out.records.push_back(std::move(r));
    for (auto& m : ready.messages) out.messages.push_back(std::move(m));
    for (auto& m : ready.messages_after_sync) out.after_sync.push_back(std::move(m));
    for (auto& d : ready.committed) out.committed.push_back(std::move(d));
    if (ready.install) out.installs.push_back(std::move(*ready.install));
    if (ready.snapshot_save) out.saves.push_back(std::move(*ready.snapshot_save));
    core.Advance();
  }
  return out;
}

// A new core promises no ballot above the one it recovered for its first kLeaseTicks (a lease
// it may have granted before a restart: docs/consensus.md, "Lease reads"). Tests of its votes
// tick past that first; the output of those ticks is dropped.
inline void PassStartWait(Core& core) {
  for (uint32_t t = 0; t < kLeaseTicks; ++t) core.Tick();
  Take(core);
}

template <typename T>
std::vector<std::pair<NodeId, T>> OfType(const std::vector<Envelope>& envelopes) {
  std::vector<std::pair<NodeId, T>> out;
  for (const Envelope& e : envelopes) {
    if (const T* m = std::get_if<T>(&e.message)) out.emplace_back(e.to, *m);
  }
  return out;
}

class Network {
 public:
  explicit Network(const Config& config) {
    for (NodeId id : config.voters) Add(id, config);
    for (NodeId id : config.learners) Add(id, config);
  }
  void Add(NodeId id, const Config& config) {
    cores_[id] = std::make_unique<Core>(MakeOptions(id, config));
  }
  // A restart: the node's core is rebuilt (empty durable state) with these options.
  void Replace(NodeId id, const CoreOptions& options) {
    cores_[id] = std::make_unique<Core>(options);
  }
  Core& core(NodeId id) { return *cores_.at(id); }
  void Isolate(NodeId id) { isolated_.insert(id); }
  void Heal() { isolated_.clear(); }
  const std::vector<Decision>& applied(NodeId id) { return applied_[id]; }
  const std::vector<SnapshotInstall>& installs(NodeId id) { return installs_[id]; }
  uint64_t delivered() const { return delivered_; }

  // Collects every output and delivers messages until the network is quiet.
  void Settle() {
    for (int round = 0; round < 10000; ++round) {
      for (auto& [id, core] : cores_) Collect(id, *core);
      if (queue_.empty()) return;
      Envelope e = std::move(queue_.front());
      queue_.pop_front();
      if (isolated_.count(e.from) || isolated_.count(e.to)) continue;
      ++delivered_;
      cores_.at(e.to)->Receive(e);
    }
  }
  void Tick(int ticks) {
    for (int t = 0; t < ticks; ++t) {
      for (auto& [id, core] : cores_) core->Tick();
      Settle();
    }
  }
  NodeId Leader() {
    for (auto& [id, core] : cores_) {
      if (core->IsLeader() && !isolated_.count(id)) return id;
    }
    return 0;
  }

 private:
  void Collect(NodeId id, Core& core) {
    Output out = Take(core);
    for (auto& m : out.messages) queue_.push_back(std::move(m));
    for (auto& m : out.after_sync) queue_.push_back(std::move(m));
    for (auto& i : out.installs) installs_[id].push_back(std::move(i));
    for (auto& d : out.committed) applied_[id].push_back(std::move(d));
  }

  std::map<NodeId, std::unique_ptr<Core>> cores_;
  std::map<NodeId, std::vector<Decision>> applied_;
  std::map<NodeId, std::vector<SnapshotInstall>> installs_;
  std::deque<Envelope> queue_;
  std::set<NodeId> isolated_;
  uint64_t delivered_ = 0;
};

}  // namespace pifleet::core::testing
