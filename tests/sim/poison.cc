#include "tests/sim/poison.h"

#include <iterator>
#include <string>

#include "agent/core/command_check.h"
#include "agent/core/constants.h"
#include "tests/sim/simulation.h"

namespace pifleet::sim {

core::Command PoisonSource::Next(core::CommandKind kind) {
  core::Command command;
  command.client_id = kPoisonClientId;
  command.sequence = ++sequence_;
  command.kind = kind;
  return command;
}

core::Command PoisonSource::Malformed(core::NodeId self, core::NodeId other) {
  core::Command command = Next(core::CommandKind::kReconfig);
  command.replaces = 1;  // well formed, so that the configuration is what is wrong
  core::Config& config = command.config;
  switch (rng_.Between(0, 9)) {
    case 0:  // no voters
      config.learners = {self};
      break;
    case 1:  // one voter too many
      for (core::NodeId id = 1; id <= core::kVotersMax + 1; ++id) config.voters.push_back(id);
      break;
    case 2:  // one node named twice
      config.voters = {self, other, self};
      break;
    case 3:  // both voter and learner
      config.voters = {self};
      config.learners = {other, self};
      break;
    case 4:  // id 0 is nobody
      config.voters = {self, 0, other};
      break;
    case 5:  // more nodes than a cluster holds
      config.voters = {self};
      for (core::NodeId id = 1000; id < 1000 + core::kNodesMax; ++id) config.learners.push_back(id);
      break;
    case 6:  // an application command carrying a configuration
      command.kind = core::CommandKind::kApp;
      command.replaces = 0;
      config.voters = {self};
      break;
    case 7:  // a payload one byte over the bound
      command.kind = core::CommandKind::kApp;
      command.replaces = 0;
      command.payload.assign(core::kCommandBytesMax + 1, 'p');
      break;
    case 8:  // a valid configuration that names no configuration it replaces
      command.replaces = 0;
      config.voters = {self};
      break;
    default:  // a kind no build knows
      command.kind = static_cast<core::CommandKind>(rng_.Between(3, 255));
      config.voters = {self};
      break;
  }
  return command;
}

core::Command PoisonSource::RandomPayload() {
  core::Command command = Next(core::CommandKind::kApp);
  // Mostly a first byte the state machine dispatches on (kv 1..4, members 0x10..0x11, keys
  // 0x20..0x23), so the bytes get past the first check; the rest is noise.
  static constexpr uint8_t kKinds[] = {1, 2, 3, 4, 0x10, 0x11, 0x20, 0x21, 0x22, 0x23};
  const size_t bytes = rng_.Between(0, core::kCommandBytesMax);
  for (size_t i = 0; i < bytes; ++i) command.payload.push_back(static_cast<char>(rng_.Next()));
  if (!command.payload.empty() && rng_.Chance(800000)) {
    command.payload[0] = static_cast<char>(kKinds[rng_.Between(0, std::size(kKinds) - 1)]);
  }
  return command;
}

void Simulation::ProposePoison() {
  if (healed_) return;
  core::Rng& rng = poison_.rng();
  Schedule(now_us_ + static_cast<int64_t>(rng.Between(20000, 200000)), Kind::kPoison, 0);
  SimNode& node = nodes_[rng.Between(0, client_nodes_ - 1)];
  const auto other = static_cast<core::NodeId>(rng.Between(1, client_nodes_));
  if (!node.up) return;
  const std::string where = "n" + std::to_string(node.id);
  switch (rng.Between(0, 2)) {
    case 0: {
      const core::Command command = poison_.Malformed(node.id, other);
      if (node.driver->Propose(command).ok())
        checker_.Fail(where + " accepted a malformed proposal");
      trace_.Line(now_us_, where + ": a malformed proposal, refused");
      break;
    }
    case 1: {  // past the edge check, as a peer's Request: the leader must not propose it
      core::Request request{{poison_.Malformed(node.id, other), poison_.RandomPayload()}};
      trace_.Line(now_us_, "n" + std::to_string(other) + " -> " + where +
                               ": a Request with a malformed command");
      Send(core::Envelope{other, node.id, std::move(request)}, node.incarnation);
      break;
    }
    default:
      (void)node.driver->Propose(poison_.RandomPayload());  // NoSpace is fine
      trace_.Line(now_us_, where + ": a command of random bytes proposed");
      break;
  }
  for (const SimNode& each : nodes_) {
    if (each.up && each.driver->core()->AppliedRefused() > 0) {
      checker_.Fail("n" + std::to_string(each.id) + " applied a decided command out of bounds");
    }
  }
}

}  // namespace pifleet::sim
