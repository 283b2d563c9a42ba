// The JSON the fleet page draws (/v1/members, /v1/jobs, the leader changes in /v1/status), also
// what `pifleet members --json` prints: one renderer for both, so the page's rows and the CLI's
// cannot differ. Node ids are u64, beyond the 2^53 a JavaScript number holds exactly, so the
// page's JSON also carries each id as a decimal string (`node_id_str`, ...), which the page uses.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "agent/daemon/json_text.h"
#include "agent/sm/jobs.h"
#include "agent/sm/members.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::daemon {

// One object per member, in the view's order (`pifleet members --json`).
Json MembersJson(const wire::MembersBody& view);

// The pattern a member's status LED shows, as far as this node can tell: the leader's own
// pattern; hot-throttled from the temperature and throttling bits the member published; then
// its role in the configuration. "unknown" for a member the leader has not heard for 3 s
// (it may be down, or cut off and blinking no-quorum). disk-full and identify are not visible
// from another node.
std::string InferredLed(const wire::MemberRow& row, uint64_t leader_id, bool leaders_view);

// /v1/members: {"view_node_id", "leader_id", "members": [MembersJson's rows, each with "led"
// (the pattern), "led_steps_ms" (on/off durations from on; [] for steady on) and "led_source"
// ("own" for this node's real LED, "inferred" for the others) and "node_id_str"]}, with
// "view_node_id_str" and "leader_id_str".
Json FleetMembersJson(const wire::MembersBody& view, const std::string& own_led);

// /v1/jobs: {"jobs": [...]}, each as `pifleet job status --json` shows it (progress and per-node
// throughput, each worker with "node_str"), running and waiting jobs first, then the most recent
// finished ones.
Json FleetJobsJson(const sm::JobTable& jobs, const sm::MembersTable& members);

// The leader changes this node saw since it started, the newest kept.
class LeaderHistory {
 public:
  static constexpr size_t kKept = 20;
  // The leader last recorded (0: none known).
  uint64_t current() const { return changes_.empty() ? 0 : changes_.back().leader_id; }
  bool empty() const { return changes_.empty(); }  // nothing observed yet
  // Records a change of leader (0: none known) with its wall clock time.
  void Observe(uint64_t leader_id, int64_t unix_ms);
  Json ToJson() const;  // [{"leader_id", "leader_id_str", "unix_ms"}], oldest first

 private:
  struct Change {
    uint64_t leader_id;
    int64_t unix_ms;
  };
  std::deque<Change> changes_;
};

}  // namespace pifleet::daemon
