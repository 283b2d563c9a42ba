// The event handlers of Simulation: node steps, the Ready loop, disks, faults and clients.
#include <algorithm>
#include <utility>

#include "tests/sim/describe.h"
#include "tests/sim/simulation.h"

namespace pifleet::sim {
void Simulation::Step(const Event& event) {
  SimNode& node = nodes_[event.node];
  if (PutOffWhilePaused(event)) return;
  switch (event.kind) {
    case Kind::kTick:
      Schedule(now_us_ + node.tick_period_us, Kind::kTick, event.node);
      if (event.node == 0) HolderTick();
      if (event.node == 0) TopicTick();
      if (event.node == 0) SubmitterTick();
      if (node.up && now_us_ < node.paused_until_us) node.ticks_skipped = true;
      if (node.up && now_us_ >= node.paused_until_us) {
        if (std::exchange(node.ticks_skipped, false)) node.driver->DropLease();
        node.driver->Tick();
        node.hub->OnTick(static_cast<uint64_t>(now_us_) / 1000);
        JobTick(node);
        LeaseTick(node);
        ServeLeaseReads(node);
        NoteBounds(node);
      }
      return;
    case Kind::kDeliver: {
      auto it = in_flight_.find(event.arg);
      core::Envelope envelope = std::move(it->second);
      in_flight_.erase(it);
      trace_.Mix(envelope.message.index() << 16 | envelope.from);
      // A message to itself is in-process: it dies with the incarnation that sent it.
      const bool stale_self = envelope.from == envelope.to && event.arg2 != node.incarnation;
      if (!node.up || stale_self) return;
      if (trace_.printing()) trace_.Line(now_us_, Describe(envelope));
      if (bursts_ && !node.in_burst) {
        node.in_burst = true;
        node.driver->BeginBurst();
        Schedule(now_us_ + kBurstUs, Kind::kBurstEnd, event.node, 0, node.incarnation);
      }
      node.driver->Receive(envelope);
      ServeLeaseReads(node);
      NoteBounds(node);
      return;
    }
    case Kind::kSyncDone:
    case Kind::kCompactDone:
    case Kind::kSnapshotStored:
      if (!node.up || event.arg2 != node.incarnation) return;  // died with its process
      if (event.kind == Kind::kSyncDone) node.seams->CompleteSync();
      if (event.kind == Kind::kCompactDone) node.seams->CompleteCompact(event.arg);
      if (event.kind == Kind::kSnapshotStored) node.seams->CompleteSnapshotSave();
      if (node.up) NoteBounds(node);
      return;
    case Kind::kCrash:
      if (healed_) return;
      Schedule(now_us_ + static_cast<int64_t>(rng_.Between(100000, 700000)), Kind::kCrash, 0);
      {
        const uint32_t victim = RandomNode();
        if (nodes_[victim].up) Crash(nodes_[victim]);
      }
      return;
    case Kind::kRestart:
      if (!node.up && !node.retired && event.arg2 == node.incarnation) Restart(node);
      return;
    case Kind::kDiskFull:
      if (healed_) return;
      Schedule(now_us_ + static_cast<int64_t>(rng_.Between(200000, 900000)), Kind::kDiskFull, 0);
      FillDisk(nodes_[RandomNode()]);
      return;
    case Kind::kDiskSpace:
      FreeDisk(node);
      return;
    case Kind::kPartition:
      if (healed_) return;
      Schedule(now_us_ + static_cast<int64_t>(rng_.Between(100000, 600000)), Kind::kPartition, 0);
      if (rng_.Chance(500000)) {
        network_.Partition(NodeIds());
      } else {
        network_.Heal();
      }
      trace_.Mix(network_.blocked_links());
      if (trace_.printing()) {
        trace_.Line(now_us_,
                    "network: " + std::to_string(network_.blocked_links()) + " one-way links cut");
      }
      return;
    case Kind::kReconfig:
      if (healed_) return;
      Schedule(now_us_ + static_cast<int64_t>(rng_.Between(200000, 800000)), Kind::kReconfig, 0);
      ProposeReconfig();
      return;
    case Kind::kBurstEnd:
      if (!node.up || event.arg2 != node.incarnation) return;  // died with its process
      node.in_burst = false;
      node.driver->EndBurst();
      ServeLeaseReads(node);
      NoteBounds(node);
      return;
    case Kind::kHeal:
      Heal();
      return;
    case Kind::kPoison:
      return ProposePoison();
    case Kind::kJobRunDone:
      return OnJobRunDone(event.arg);
    case Kind::kPause:
      // A learner: a voter paused this long, with another voter restarting (restart recovery
      // needs a majority of the other voters), stalls the whole cluster of 3.
      if (!config_.learners.empty()) {
        Pause(nodes_[config_.learners[rng_.Between(0, config_.learners.size() - 1)] - 1]);
      }
      return;
    case Kind::kWatchRequest:
    case Kind::kWatchReply:
    case Kind::kWatchTimeout:
      return OnWatchEvent(event);
    case Kind::kClientStart: {
      SimClient& client = clients_.clients()[event.arg - 1];
      if (healed_ || client.waiting) return;
      clients_.Begin(client, now_us_);
      ClientSend(client);
      return;
    }
    case Kind::kClientRequest:
      if (node.up) OnClientRequest(node, event.arg, event.arg2);
      return;
    case Kind::kClientTimeout: {
      SimClient& client = clients_.clients()[event.arg - 1];
      if (client.waiting && client.sequence == event.arg2 >> 16 &&
          client.attempt == (event.arg2 & 0xffff)) {
        ++client.attempt;
        ClientSend(client);
      }
      return;
    }
    case Kind::kReplay:
      if (healed_) return;
      Schedule(now_us_ + static_cast<int64_t>(rng_.Between(20000, 200000)), Kind::kReplay, 0);
      ReplayOldCommand();
      return;
    case Kind::kClientReply: {
      auto it = replies_.find(event.seq);
      const sm::KvResult reply = it->second;
      replies_.erase(it);
      if (reply.session != 0) {  // a registration: the operation itself goes out now
        if (clients_.Registered(event.arg, event.arg2, reply.session)) {
          SimClient& client = clients_.clients()[event.arg - 1];
          ++client.attempt;  // the registration's timeout no longer applies
          ClientSend(client);
        }
        return;
      }
      if (clients_.Complete(event.arg, event.arg2, reply, now_us_)) {
        trace_.Mix(event.arg << 32 | event.arg2);
        if (trace_.printing()) {
          trace_.Line(now_us_,
                      "client " + std::to_string(event.arg) + " seq " + std::to_string(event.arg2) +
                          " answered ok=" + std::to_string(reply.ok) + " \"" + reply.output + "\"");
        }
        Schedule(now_us_ + static_cast<int64_t>(rng_.Between(0, 20000)), Kind::kClientStart, 0,
                 event.arg);
      }
      if (options_.steady_commands > 0 && !healed_ &&
          clients_.completed() >= options_.steady_commands) {
        Heal();  // the load ends: no new requests
        StartJoiner();
      }
      return;
    }
  }
}

void Simulation::ScheduleDiskEvent(const SimNode& node, Kind kind, uint64_t arg,
                                   int latency_factor) {
  auto latency_us = static_cast<int64_t>(
      rng_.Between(params_.fsync_min_us, latency_factor * params_.fsync_max_us));
  if (options_.fsync_stall_ms > 0 && rng_.Chance(250000))
    latency_us = options_.fsync_stall_ms * 1000;
  Schedule(now_us_ + latency_us, kind, static_cast<uint32_t>(node.id - 1), arg, node.incarnation);
}

void Simulation::Send(const core::Envelope& envelope, uint32_t incarnation) {
  if (envelope.from != envelope.to) ++node_messages_;
  Vouch(nodes_[envelope.from - 1], envelope);
  CheckBallotValue(envelope);
  for (int64_t delay : network_.Deliveries(envelope.from, envelope.to)) {
    const uint64_t id = next_seq_;
    in_flight_.emplace(id, envelope);
    Schedule(now_us_ + delay, Kind::kDeliver, static_cast<uint32_t>(envelope.to - 1), id,
             incarnation);
  }
}

void Simulation::OnReconfigApplied(const SimNode& node, core::Slot slot,
                                   const core::Command& command, bool took_effect) {
  if (trace_.printing()) {
    trace_.Line(now_us_, "n" + std::to_string(node.id) + " applies a reconfiguration: " +
                             std::to_string(command.config.voters.size()) + " voters" +
                             (took_effect ? "" : " (stale: its base was replaced)"));
  }
  if (std::string v = replay_.OnReconfigApplied(node.id, node.incarnation, command, took_effect);
      !v.empty()) {
    checker_.Fail("exactly once: " + v);
  }
  if (took_effect && slot > config_slot_) {
    config_ = command.config;
    config_slot_ = slot;
  }
  // The join lost a race with another change: ask again against the newest configuration.
  if (!took_effect && command.client_id == kJoinerClientId &&
      command.sequence == joiner_sequence_) {
    ProposeJoiner();
  }
}

void Simulation::Reply(const SimNode& node, uint64_t client_id, uint64_t sequence,
                       const sm::KvResult& result) {
  for (int64_t delay : network_.Deliveries(node.id, 0)) {
    replies_.emplace(next_seq_, result);
    Schedule(now_us_ + delay, Kind::kClientReply, 0, client_id, sequence);
  }
}

}  // namespace pifleet::sim
