// Crashes, restarts, membership changes, healing, and the client side of the simulation.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "agent/store/log_reader.h"
#include "tests/sim/simulation.h"

#include "agent/sm/session_commands.h"

namespace pifleet::sim {
namespace {
constexpr uint64_t kAdminClientId = 1'000'000;
}  // namespace

void Simulation::Crash(SimNode& node) {
  if (node.up && node.driver && node.driver->core() != nullptr && node.driver->core()->IsLeader() &&
      leader_crashed_us_ < 0) {
    leader_crashed_us_ = now_us_;
  }
  node.up = false;
  node.in_burst = false;
  ++node.incarnation;
  // The disk loses what was not synced; sometimes a prefix of the last write survives, torn.
  const bool torn = rng_.Chance(params_.torn_crash_per_million);
  node.driver.reset();
  node.hub.reset();
  node.lease_clock.reset();
  node.worker.reset();  // its simulated run dies with it
  node.paused_until_us = 0;
  node.own.reset();
  node.seams.reset();
  node.wal.reset();
  node.env->Crash(torn ? store::FaultEnv::CrashMode::kTornTail
                       : store::FaultEnv::CrashMode::kDropUnsynced);
  // The driver's held replies and disk-full state died with it; the next process finds out again.
  node.waiting.clear();
  node.lease_reads.clear();
  trace_.Mix(node.id << 40 | (torn ? 5 : 1));
  trace_.Line(now_us_, "crash n" + std::to_string(node.id) + (torn ? " (torn write)" : ""));
  Schedule(now_us_ + static_cast<int64_t>(rng_.Between(50000, 800000)), Kind::kRestart,
           static_cast<uint32_t>(node.id - 1), 0, node.incarnation);
}

void Simulation::Restart(SimNode& node) {
  // Disk damage hits one node per run: the others hold what it lost.
  const bool may_damage = options_.voters >= 3 && (tail_node_ == 0 || tail_node_ == node.id) &&
                          (!flipped_ || flipped_node_ == node.id);
  // A flip can retire its node for good; with 3 voters every later restart of another voter
  // would then wait for it forever (restart recovery needs both others), so 5 voters or more.
  if (!flipped_ && may_damage && options_.voters >= 5 &&
      rng_.Chance(params_.bit_flip_restart_per_million)) {
    FlipBitAtRest(node);
  }
  if (may_damage && rng_.Chance(params_.lose_tail_restart_per_million)) LoseSyncedTail(node);
  // From the durable state only; a refusal is a violation unless it found a flipped bit.
  if (!StartNode(node)) return;
  trace_.Mix(node.id << 40 | 2);
  trace_.Line(now_us_, "restart n" + std::to_string(node.id));
}

void Simulation::FillDisk(SimNode& node) {
  if (node.env->used_bytes() == 0) return;
  // The disk takes at most 1 KiB more, then refuses writes until FreeDisk.
  const uint64_t limit = node.env->used_bytes() + rng_.Between(0, 1024);
  node.env->SetSpaceLimitBytes(limit);
  trace_.Mix(node.id << 40 | 10);
  trace_.Line(now_us_, "n" + std::to_string(node.id) + "'s disk fills up at " +
                           std::to_string(limit) + " bytes");
  Schedule(now_us_ + static_cast<int64_t>(rng_.Between(20000, 600000)), Kind::kDiskSpace,
           static_cast<uint32_t>(node.id - 1));
}

void Simulation::FreeDisk(SimNode& node) {
  node.env->SetSpaceLimitBytes(UINT64_MAX);
  trace_.Line(now_us_, "n" + std::to_string(node.id) + "'s disk has space again");
}

void Simulation::FlipBitAtRest(SimNode& node) {
  // Any file of the data dir, synced or not: the medium does not care.
  std::vector<std::pair<std::string, uint64_t>> files;
  for (const char* subdir : {"/wal", "/snap"}) {
    const std::string dir = std::string(kSimDataDir) + subdir;
    std::vector<std::string> names;
    if (!node.env->GetChildren(dir, &names).ok()) continue;
    for (const std::string& name : names) {
      uint64_t bytes = 0;
      if (node.env->GetFileSize(dir + "/" + name, &bytes).ok() && bytes > 0) {
        files.emplace_back(dir + "/" + name, bytes);
      }
    }
  }
  if (files.empty()) return;
  std::sort(files.begin(), files.end());  // GetChildren's order is not part of the seed
  const auto& [path, bytes] = files[rng_.Between(0, files.size() - 1)];
  const uint64_t offset = rng_.Between(0, bytes - 1);
  const int bit = static_cast<int>(rng_.Between(0, 7));
  if (!node.env->FlipBit(path, offset, bit)) return;
  flipped_ = true;
  flipped_node_ = node.id;
  ++bounds_.bit_flips;
  trace_.Mix(node.id << 40 | 6);
  trace_.Line(now_us_, "n" + std::to_string(node.id) + ": bit " + std::to_string(bit) +
                           " flipped at rest in " + path + " offset " + std::to_string(offset));
}

// The newest segment loses its last records, synced ones included, cut at a record boundary: no
// crash does this and recovery cannot tell it from a clean end, so the node restarts as if it
// had never voted for them (docs/consensus.md, restart recovery).
void Simulation::LoseSyncedTail(SimNode& node) {
  const std::string dir = std::string(kSimDataDir) + "/wal";
  std::vector<std::string> names;
  if (!node.env->GetChildren(dir, &names).ok()) return;
  std::erase_if(names, [](const std::string& name) { return !name.ends_with(".wal"); });
  if (names.empty()) return;
  const std::string path = dir + "/" + names.back();  // 20-digit names sort in order
  std::unique_ptr<store::SequentialFile> file;
  if (!node.env->NewSequentialFile(path, &file).ok()) return;
  store::log::Reader reader(file.get(), path, 64 * 1024 * 1024);
  std::vector<uint64_t> starts;  // of every record after the segment header
  std::vector<size_t> markers;   // indexes (in starts) of snapshot markers
  std::string body;
  for (bool header = true; reader.ReadRecord(&body); header = false) {
    if (header) continue;
    if (!body.empty() && body[0] == static_cast<char>(store::RecordKind::kSnapshotMarker)) {
      markers.push_back(starts.size());
    }
    starts.push_back(reader.last_record_offset());
  }
  // Keep the marker before the newest one: the snapshot it names is still on disk (the newest
  // two are kept), so the node restarts rather than refusing, and is not lost for good.
  const size_t keep = markers.size() >= 2 ? markers[markers.size() - 2] + 1 : 0;
  if (starts.size() <= keep) return;
  const size_t first_lost = rng_.Between(keep, starts.size() - 1);
  if (!node.env->TruncateFile(path, starts[first_lost]).ok()) return;
  // The fault takes back what the acceptor vouched for; the durability checker must not count
  // that, the consensus checkers must still find nothing.
  node.vouched_promise = core::Ballot{};
  node.vouched_accepts.clear();
  tail_node_ = node.id;
  ++bounds_.tails_lost;
  trace_.Mix(node.id << 40 | 11);
  trace_.Line(now_us_, "n" + std::to_string(node.id) + " loses its last " +
                           std::to_string(starts.size() - first_lost) + " WAL records (" + path +
                           " cut at " + std::to_string(starts[first_lost]) + ")");
}

void Simulation::ProposeReconfig() {
  if (config_.learners.empty()) return;
  // Swap a random voter with a random learner; the voter count stays the same.
  core::Config next = config_;
  const size_t v = rng_.Between(0, next.voters.size() - 1);
  const size_t l = rng_.Between(0, next.learners.size() - 1);
  std::swap(next.voters[v], next.learners[l]);
  SimNode& node = nodes_[RandomNode()];
  if (!node.up) return;
  core::Command command;
  command.client_id = kAdminClientId;
  command.sequence = ++admin_sequence_;
  command.kind = core::CommandKind::kReconfig;
  command.config = next;
  command.replaces = ConfigFirstSlot();
  trace_.Mix(node.id << 40 | 3);
  trace_.Line(now_us_, "reconfig proposed at n" + std::to_string(node.id));
  (void)node.driver->Propose(command);  // NoSpace is fine: the admin tries again later
}

void Simulation::Heal() {
  healed_ = true;
  network_.Heal();
  network_.SetQuiet(true);
  trace_.Line(now_us_, "heal: network whole, crashed nodes restart, no new requests");
  deadline_us_ = now_us_ + options_.liveness_bound_ms * 1000;
  for (SimNode& node : nodes_) {
    node.env->SetSpaceLimitBytes(UINT64_MAX);
    if (!node.up && !node.spare && !node.retired) Restart(node);
    // A pause (simulation_jobs.cc) outlasts the heal: the bound counts from its end.
    deadline_us_ = std::max(deadline_us_, node.paused_until_us + options_.liveness_bound_ms * 1000);
  }
}

void Simulation::ClientSend(SimClient& client) {
  const uint32_t target = RandomNode();
  for (int64_t delay : network_.Deliveries(0, nodes_[target].id)) {
    Schedule(now_us_ + delay, Kind::kClientRequest, target, client.id, client.sequence);
  }
  Schedule(now_us_ + kClientTimeoutUs + static_cast<int64_t>(rng_.Between(0, 50000)),
           Kind::kClientTimeout, 0, client.id, client.sequence << 16 | client.attempt);
}

// An answered client command proposed again at a random node, as a replayed datagram would be;
// every other time the leader-to-be also proposes expiry of sessions idle for a short while.
void Simulation::ReplayOldCommand() {
  SimNode& node = nodes_[RandomNode()];
  if (!node.up) return;
  if (rng_.Chance(500000)) {
    const sm::SessionCommand expire{sm::SessionCommandKind::kExpire,
                                    static_cast<uint64_t>(now_us_ / 1000), rng_.Between(50, 500)};
    (void)node.driver->Propose({kRegisterIdBit - 1,
                                ++admin_sequence_,
                                core::CommandKind::kApp,
                                sm::EncodeSessionCommand(expire),
                                {}});
  }
  if (auto command = replay_.Pick(rng_)) {
    replay_.NoteReplayed();
    (void)node.driver->Propose(*command);
  }
}

void Simulation::OnClientRequest(SimNode& node, uint64_t client_id, uint64_t sequence) {
  SimClient& client = clients_.clients()[client_id - 1];
  if (client.sequence != sequence) return;  // an old retry: the client has moved on
  if (trace_.printing()) {
    trace_.Line(now_us_, "n" + std::to_string(node.id) + " <- client " + std::to_string(client_id) +
                             " seq " + std::to_string(sequence));
  }
  core::Command command;
  command.client_id = client.session;
  command.sequence = sequence;
  command.payload = sm::EncodeKvOp(client.op);
  if (client.session == 0) {  // register first; the operation follows in the new session
    command.client_id = kRegisterIdBit | client_id;
    const sm::SessionCommand reg{sm::SessionCommandKind::kRegister,
                                 static_cast<uint64_t>(now_us_ / 1000), 0};
    command.payload = sm::EncodeSessionCommand(reg);
  } else if (options_.stale_reads && client.op.kind == sm::KvKind::kGet) {
    Reply(node, client_id, sequence, sm::KvResult{true, node.sm().kv().Read(client.op.key)});
    return;
  } else if (client.op.kind == sm::KvKind::kGet && (client_id + sequence) % 2 == 0) {
    // Half the reads are lease reads (the agent's `kv get --consistency lease`). A node that
    // does not lead declines; the client asks the leader it names once (as the CLI asks its
    // next endpoint), then reads through the log.
    const uint64_t id = ++lease_read_ids_;
    if (node.driver->BeginLeaseRead(id)) {
      node.lease_reads[id] = {client_id, sequence};
      return;
    }
    const core::NodeId hint = node.core().LeaderHint();
    if (hint != 0 && hint != node.id && hint <= nodes_.size() &&
        lease_redirected_[client_id] != sequence) {
      lease_redirected_[client_id] = sequence;
      for (int64_t delay : network_.Deliveries(0, hint)) {
        Schedule(now_us_ + delay, Kind::kClientRequest, static_cast<uint32_t>(hint - 1), client_id,
                 sequence);
      }
      return;
    }
    ++lease_reads_declined_;
  }
  node.waiting[command.client_id] = sequence;
  (void)node.driver->Propose(command);  // NoSpace: the client times out and retries
}

void Simulation::ServeLeaseReads(SimNode& node) {
  if (node.lease_reads.empty()) return;
  std::vector<uint64_t> ready;
  std::vector<uint64_t> declined;
  node.driver->CollectLeaseReads(&ready, &declined);
  for (uint64_t id : ready) {
    const auto [client_id, sequence] = node.lease_reads.at(id);
    node.lease_reads.erase(id);
    const SimClient& client = clients_.clients()[client_id - 1];
    if (client.sequence != sequence) continue;  // it has moved on
    ++lease_reads_served_;
    if (trace_.printing()) {
      trace_.Line(now_us_, "n" + std::to_string(node.id) + " lease read for client " +
                               std::to_string(client_id) + " seq " + std::to_string(sequence));
    }
    Reply(node, client_id, sequence, sm::KvResult{true, node.sm().kv().Read(client.op.key)});
  }
  for (uint64_t id : declined) {
    const auto [client_id, sequence] = node.lease_reads.at(id);
    node.lease_reads.erase(id);
    const SimClient& client = clients_.clients()[client_id - 1];
    if (client.sequence != sequence || client.session == 0) continue;
    ++lease_reads_declined_;
    node.waiting[client.session] = sequence;
    (void)node.driver->Propose(
        {client.session, sequence, core::CommandKind::kApp, sm::EncodeKvOp(client.op), {}});
  }
}

}  // namespace pifleet::sim
