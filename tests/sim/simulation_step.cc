// The event handlers of Simulation: node steps, the Ready loop, disks, faults and clients.
#include <algorithm>

#include "tests/sim/describe.h"
#include "tests/sim/simulation.h"

namespace pifleet::sim {
void Simulation::Step(const Event& event) {
  SimNode& node = nodes_[event.node];
  switch (event.kind) {
    case Kind::kTick:
      Schedule(now_us_ + node.tick_period_us, Kind::kTick, event.node);
      if (node.up) {
        node.core->Tick();
        Drain(node);
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
      node.core->Receive(envelope);
      Drain(node);
      return;
    }
    case Kind::kSyncDone:
      if (node.up && event.arg2 == node.incarnation) OnSyncDone(node);
      return;
    case Kind::kSnapshotStored:
      if (node.up && event.arg2 == node.incarnation && node.pending_save) StoreSnapshot(node);
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
    case Kind::kHeal:
      Heal();
      return;
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

void Simulation::Drain(SimNode& node) {
  while (node.up && node.core->HasReady()) {
    core::Ready ready = node.core->TakeReady();
    Persist(node, ready);
    for (const core::Envelope& envelope : ready.messages) Send(envelope, node.incarnation);
    for (core::Envelope& envelope : ready.messages_after_sync) {
      if (node.wal->synced_lsn() >= node.wal->last_lsn()) {
        Send(envelope, node.incarnation);
      } else {
        // It waits for every record handed out so far, decisions (logged without a sync of
        // their own) included: make sure a sync is coming.
        node.held.emplace_back(node.wal->last_lsn(), std::move(envelope));
        if (!node.sync_in_flight) ScheduleSync(node);
      }
    }
    if (ready.install) {
      if (ready.snapshot_save) ++bounds_.snapshots_installed;  // pulled, not a restart
      Install(node, *ready.install);
    }
    for (const core::Decision& decision : ready.committed) ApplyCommitted(node, decision);
    node.core->Advance();
    const core::Ballot promised = node.core->Promised();
    checker_.OnPromise(node.id, promised, node.promise_floor);
    node.promise_floor = std::max(node.promise_floor, promised);
    MaybeSnapshot(node);
  }
  if (node.up) NoteBounds(node);
}

void Simulation::OnSyncDone(SimNode& node) {
  node.sync_in_flight = false;
  // The fdatasync completes now: it covers everything appended until now (group commit).
  const Status status = node.wal->Sync();
  if (status.code() == Status::Code::kNoSpace) {
    // As the agent does: the core stops voting, the replies stay held, the sync is retried.
    node.sync_in_flight = true;
    Schedule(now_us_ + static_cast<int64_t>(rng_.Between(5000, 30000)), Kind::kSyncDone,
             static_cast<uint32_t>(node.id - 1), 0, node.incarnation);
    if (!node.disk_full) {
      node.disk_full = true;
      ++bounds_.disk_full_episodes;
      node.core->SetDiskFull(true);
      trace_.Mix(node.id << 40 | 8);
      trace_.Line(now_us_, "n" + std::to_string(node.id) + " disk full: stops voting");
      Drain(node);
    }
    return;
  }
  if (!status.ok()) {
    return checker_.Fail("node " + std::to_string(node.id) + " sync failed: " + status.ToString());
  }
  if (node.disk_full) {
    node.disk_full = false;
    node.core->SetDiskFull(false);
    trace_.Mix(node.id << 40 | 9);
    trace_.Line(now_us_, "n" + std::to_string(node.id) + " disk has space: votes again");
  }
  const uint64_t synced = node.wal->synced_lsn();
  size_t kept = 0;
  for (size_t i = 0; i < node.held.size(); ++i) {
    if (node.held[i].first <= synced) {
      Send(node.held[i].second, node.incarnation);
    } else {
      node.held[kept++] = std::move(node.held[i]);
    }
  }
  node.held.resize(kept);
  if (node.marker_lsn != 0 && node.marker_lsn <= synced) {
    size_t removed = 0;
    if (Status compacted = node.wal->Compact(node.marker_slot, &removed); !compacted.ok()) {
      return checker_.Fail("node " + std::to_string(node.id) +
                           " compaction failed: " + compacted.ToString());
    }
    node.marker_lsn = 0;
  }
  if (node.wal->last_lsn() > synced) ScheduleSync(node);
  NoteBounds(node);
}

void Simulation::ScheduleSync(SimNode& node) {
  node.sync_in_flight = true;
  Schedule(now_us_ + static_cast<int64_t>(rng_.Between(params_.fsync_min_us, params_.fsync_max_us)),
           Kind::kSyncDone, static_cast<uint32_t>(node.id - 1), 0, node.incarnation);
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

void Simulation::ApplyCommitted(SimNode& node, const core::Decision& decision) {
  checker_.OnApply(node.id, node.applied, decision.slot, decision.value);
  node.applied = std::max(node.applied, decision.slot);
  trace_.Mix(decision.slot << 8 | decision.value.commands.size());
  if (trace_.printing()) {
    trace_.Line(now_us_, "n" + std::to_string(node.id) + " applies slot " +
                             std::to_string(decision.slot) + " (" +
                             std::to_string(decision.value.commands.size()) + " commands)");
  }
  for (const core::Command& command : decision.value.commands) {
    if (command.kind == core::CommandKind::kReconfig) {
      if (trace_.printing()) {
        trace_.Line(now_us_, "n" + std::to_string(node.id) + " applies a reconfiguration: " +
                                 std::to_string(command.config.voters.size()) + " voters");
      }
      if (decision.slot > config_slot_) {
        config_ = command.config;
        config_slot_ = decision.slot;
      }
      continue;
    }
    const sm::KvResult result =
        node.sm->Apply(decision.slot, command.client_id, command.sequence, command.payload);
    if (std::string v = replay_.OnApplied(node.id, node.incarnation, command, result); !v.empty()) {
      checker_.Fail("exactly once: " + v);
    }
    auto waiting = node.waiting.find(command.client_id);
    if (waiting == node.waiting.end() || waiting->second != command.sequence) continue;
    node.waiting.erase(waiting);
    const uint64_t client = clients_.ClientOf(command.client_id);
    if (client != 0) Reply(node, client, command.sequence, result);
  }
  checker_.OnDigest(node.id, decision.slot, node.sm->StateHash());
}

void Simulation::Reply(const SimNode& node, uint64_t client_id, uint64_t sequence,
                       const sm::KvResult& result) {
  for (int64_t delay : network_.Deliveries(node.id, 0)) {
    replies_.emplace(next_seq_, result);
    Schedule(now_us_ + delay, Kind::kClientReply, 0, client_id, sequence);
  }
}

}  // namespace pifleet::sim
