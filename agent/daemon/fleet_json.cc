#include "agent/daemon/fleet_json.h"

#include <vector>

#include "agent/daemon/job_json.h"
#include "hal/capacity.h"
#include "hal/led_language.h"
#include "hal/throttle_probe.h"

namespace pifleet::daemon {
namespace {

// A member the leader has not heard for this long shows "unknown": down, or cut off.
constexpr int64_t kUnheardMs = 3000;
// How many finished jobs /v1/jobs lists after the running and queued ones.
constexpr size_t kFinishedJobsShown = 10;

constexpr uint32_t kThrottledNow = hal::kThrottleUnderVoltage | hal::kThrottleFreqCapped |
                                   hal::kThrottleThrottled | hal::kThrottleSoftTempLimit;

Json StepsJson(const std::string& pattern) {
  Json steps = Json::array();
  if (const auto led = hal::PatternByName(pattern)) {
    const hal::PatternSpec& spec = hal::SpecOf(*led);
    for (size_t i = 0; i < spec.step_count; ++i) steps.push_back(spec.steps_ms[i]);
  }
  return steps;
}

bool Finished(const sm::Job& job) {
  return job.state == sm::JobState::kDone || job.state == sm::JobState::kFailed ||
         job.state == sm::JobState::kCancelled;
}

}  // namespace

Json MembersJson(const wire::MembersBody& view) {
  Json out = Json::array();
  for (const wire::MemberRow& r : view.rows) {
    Json row;
    row["node_id"] = r.node_id;
    row["name"] = r.name;
    row["address"] = r.address;
    row["voting"] = r.voting;
    row["role"] = r.role;
    row["version"] = r.version;
    row["board"] = r.board;
    row["serial"] = r.serial;
    row["last_heard_ms"] = r.last_heard_ms;
    row["last_heard_by"] = view.view_node_id;
    row["capacity_milli"] = r.capacity_milli;
    row["temperature_milli"] = r.temperature_milli;
    row["throttled_bits"] = r.throttled_bits;
    out.push_back(std::move(row));
  }
  return out;
}

std::string InferredLed(const wire::MemberRow& row, uint64_t leader_id, bool leaders_view) {
  const bool hot = (row.temperature_milli != 0 &&
                    hal::ThermalFactor(static_cast<int32_t>(row.temperature_milli)) < 1.0) ||
                   (row.throttled_bits & kThrottledNow) != 0;
  if (row.node_id != leader_id && leaders_view &&
      (row.last_heard_ms < 0 || row.last_heard_ms > kUnheardMs)) {
    return "unknown";
  }
  if (hot) return "hot-throttled";
  if (row.node_id == leader_id) return "leader";
  if (row.voting == "voter") return "follower";
  if (row.voting == "learner") return "learner";
  return "joining";
}

Json FleetMembersJson(const wire::MembersBody& view, const std::string& own_led) {
  Json rows = MembersJson(view);
  for (size_t i = 0; i < rows.size(); ++i) {
    const wire::MemberRow& row = view.rows[i];
    const bool own = row.node_id == view.view_node_id;
    const std::string led = own ? own_led : InferredLed(row, view.leader_id, view.IsLeadersView());
    rows[i]["led"] = led;
    rows[i]["led_steps_ms"] = StepsJson(led);
    rows[i]["led_source"] = own ? "own" : "inferred";
    rows[i]["node_id_str"] = std::to_string(row.node_id);
  }
  Json out;
  out["view_node_id"] = view.view_node_id;
  out["view_node_id_str"] = std::to_string(view.view_node_id);
  out["leader_id"] = view.leader_id;
  out["leader_id_str"] = std::to_string(view.leader_id);
  out["members"] = std::move(rows);
  return out;
}

Json FleetJobsJson(const sm::JobTable& jobs, const sm::MembersTable& members) {
  std::vector<const sm::Job*> shown;
  std::vector<const sm::Job*> finished;
  for (const auto& [id, job] : jobs.jobs()) (Finished(job) ? finished : shown).push_back(&job);
  const size_t skip =
      finished.size() > kFinishedJobsShown ? finished.size() - kFinishedJobsShown : 0;
  for (size_t i = finished.size(); i > skip; --i) shown.push_back(finished[i - 1]);  // newest first
  Json list = Json::array();
  for (const sm::Job* job : shown) {
    Json status = JobStatusJson(*job, members, jobs.log_time_ms());
    for (Json& worker : status["workers"]) {
      worker["node_str"] = std::to_string(worker["node"].get<uint64_t>());
    }
    list.push_back(std::move(status));
  }
  Json out;
  out["jobs"] = std::move(list);
  out["finished_not_shown"] = skip;
  return out;
}

void LeaderHistory::Observe(uint64_t leader_id, int64_t unix_ms) {
  if (!changes_.empty() && changes_.back().leader_id == leader_id) return;
  if (changes_.empty() && leader_id == 0) return;  // no leader known yet is no change
  changes_.push_back({leader_id, unix_ms});
  if (changes_.size() > kKept) changes_.pop_front();
}

Json LeaderHistory::ToJson() const {
  Json out = Json::array();
  for (const Change& change : changes_) {
    out.push_back({{"leader_id", change.leader_id},
                   {"leader_id_str", std::to_string(change.leader_id)},
                   {"unix_ms", change.unix_ms}});
  }
  return out;
}

}  // namespace pifleet::daemon
