// Value types of the core: ballots, commands, slot values, configurations. Plain structs with
// fixed-width integers and byte strings so that the wire codec can map them one to one.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace pifleet::core {

using NodeId = uint64_t;  // 0 is "nobody"
using Slot = uint64_t;    // slots start at 1
using Bytes = std::string;

// Ballot = (round, node), compared lexicographically. {0, 0} sorts before every real ballot.
struct Ballot {
  uint64_t round = 0;
  NodeId node = 0;
  auto operator<=>(const Ballot&) const = default;
  bool IsNull() const { return round == 0 && node == 0; }
};

enum class CommandKind : uint8_t { kApp = 1, kReconfig = 2 };

// The voter set and the learners (replicas that receive decisions but never vote).
struct Config {
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;
  bool operator==(const Config&) const = default;
  bool IsVoter(NodeId id) const;
  bool Contains(NodeId id) const;
};

// One client command. (client_id, sequence) identifies it for exactly-once application.
struct Command {
  uint64_t client_id = 0;
  uint64_t sequence = 0;
  CommandKind kind = CommandKind::kApp;
  Bytes payload;  // opaque to the core (the state machine decodes it)
  Config config;  // only for kReconfig
  // Only for kReconfig: the first slot governed by the configuration this one replaces
  // (Membership::LatestFirstSlot when proposed). A compare-and-set: applied only while that is
  // still the newest configuration, so a replayed or raced reconfiguration changes nothing.
  Slot replaces = 0;
  bool operator==(const Command&) const = default;
};

// What a slot decides: a batch of commands; an empty batch is the no-op.
struct Value {
  std::vector<Command> commands;
  bool operator==(const Value&) const = default;
  bool IsNoop() const { return commands.empty(); }
};

struct PValue {
  Ballot ballot;
  Slot slot = 0;
  Value value;
  bool operator==(const PValue&) const = default;
};

uint64_t ValueBytes(const Value& value);

}  // namespace pifleet::core
