// Topics in the simulation (docs/simulator.md): one publisher and a consumer group of two members,
// each proposing through an InternalSession of its own (the agent's bookkeeping), at a random
// node, again every 250 ms until applied. The publisher creates topic "t" (retaining 40, so
// retention drops objects under the group) and publishes one object at a time until the faults
// heal. A member claims (up to 2, ack wait 300 ms, 3 deliveries), processes each object for a
// while, and acknowledges it (sometimes fails or releases it instead); now and then it crashes
// while processing (its deliveries must come back after the ack wait) and returns under a new
// name. After the heal the members go on until the group has every object acknowledged, parked
// or dropped by retention: a run ends only then.
//
// The checkers, over every command any node applies:
// - order, no gap: each publish gets one offset, the same on every node, higher than the
//   publisher's previous one; the offsets handed out are 0, 1, 2, ... with none skipped;
// - exactly once: an object is acknowledged (an ack accepted) by one delivery only, on every
//   node; and an accepted ack names an object its member had processed (the
//   group-ack-before-process canary acknowledges first).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "agent/core/rng.h"
#include "agent/core/types.h"
#include "agent/daemon/internal_session.h"
#include "agent/sm/kv.h"
#include "agent/sm/kv_op.h"

namespace pifleet::sim {

// The actors' registrations are proposed under these ids (never a session id).
inline constexpr uint64_t kTopicActorNonce = (uint64_t{1} << 60) | 0xfff000;

class TopicActors {
 public:
  explicit TopicActors(bool ack_before_process_canary);

  // Every tick of the first node's timer: the commands to propose now, each at some node.
  std::vector<core::Command> Due(int64_t now_us, bool healed, core::Rng& rng);
  // Every command any node applied; "" or a violation.
  std::string OnApplied(const core::Command& command, const sm::KvResult& result, int64_t now_us,
                        core::Rng& rng);
  // After the heal: the publisher is done and the group holds nothing unprocessed (kv: a node's).
  bool Done(const sm::KvStore& kv) const;
  // At the end of a run: "" or the offset the publishes skipped.
  std::string CheckEnd() const;

  uint64_t published() const { return offset_of_.size(); }
  uint64_t acked() const { return acked_by_.size(); }

 private:
  enum class Phase : uint8_t { kIdle, kWaiting, kProcessing };
  struct Actor {
    explicit Actor(uint64_t nonce) : session(nonce) {}
    daemon::InternalSession session;
    std::optional<core::Command> outstanding;  // proposed, its result not yet seen
    int64_t proposed_us = 0;
    // a member's
    std::string name;
    uint32_t incarnation = 0;
    Phase phase = Phase::kIdle;
    int64_t wake_us = 0;
    std::vector<std::pair<uint64_t, uint64_t>> held;  // (offset, attempt) claimed
  };

  std::optional<core::Command> Propose(Actor& actor, int64_t now_us);
  void MemberDue(Actor& member, int64_t now_us, bool healed, core::Rng& rng);
  void Process(Actor& member);
  std::string OnPublished(const sm::KvResult& result, uint64_t seq);
  std::string OnAck(const std::string& payload, const sm::KvResult& result);
  void OnMemberResult(Actor& member, const std::string& payload, const sm::KvResult& result,
                      int64_t now_us, core::Rng& rng);

  bool canary_;
  std::vector<Actor> actors_;  // [0] the publisher, then the members
  bool created_ = false;
  bool publishing_done_ = false;
  uint64_t next_publish_ = 0;               // the publisher's next object number
  uint64_t last_offset_plus1_ = 0;          // the offset of the publisher's last object, + 1
  std::map<uint64_t, uint64_t> offset_of_;  // object number -> its offset
  std::map<uint64_t, uint64_t> object_at_;  // offset -> object number
  // offset -> the (member, attempt) whose ack was accepted
  std::map<uint64_t, std::pair<std::string, uint64_t>> acked_by_;
  std::set<std::tuple<std::string, uint64_t, uint64_t>> processed_;  // (member, offset, attempt)
};

}  // namespace pifleet::sim
