// What the local HTTP listener renders (metrics_http.h): the metrics, and the fleet page's JSON
// from this node's view (fleet_json.h); and the leader changes the page lists and the journal
// records.
#include <chrono>

#include "agent/daemon/agent.h"

namespace pifleet::daemon {
namespace {

int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Agent::ObserveLeader() {
  const core::Core* node = core();
  const uint64_t leader = !node ? 0 : node->IsLeader() ? meta_.node_id : node->LeaderHint();
  if (leader == leader_history_.current()) return;
  // In the journal too: a change of leader under load is what an operator looks for first.
  // The first leader a node sees is not news (it logs "joined the cluster").
  if (!leader_history_.empty()) {
    const char* what = leader == meta_.node_id ? "leading"
                       : leader == 0           ? "no leader known"
                                               : "leader changed";
    log_->Log(Level::kNotice, what,
              {{"LEADER", std::to_string(leader)},
               {"PREVIOUS", std::to_string(leader_history_.current())},
               {"ROLE", RoleName()}});
  }
  leader_history_.Observe(leader, UnixMillis());
}

std::string Agent::RenderHttp(HttpResource resource) {
  switch (resource) {
    case HttpResource::kMetrics:
      UpdateMetrics();
      return metrics_.Render();
    case HttpResource::kStatus: {
      Json status = StatusReportJson(BuildStatus());
      status["node_id_str"] = std::to_string(status["node_id"].get<uint64_t>());
      status["leader_id_str"] = std::to_string(status["leader_id"].get<uint64_t>());
      status["leader_changes"] = leader_history_.ToJson();
      status["unix_ms"] = UnixMillis();
      return JsonText(status);
    }
    case HttpResource::kMembers: {
      wire::MembersBody joining;  // no core yet: no table, only whose view it is
      joining.view_node_id = meta_.node_id;
      return JsonText(
          FleetMembersJson(core() ? BuildMembers() : joining, leds_.hal().pattern_name()));
    }
    case HttpResource::kJobs:
      if (!core()) return JsonText(Json{{"jobs", Json::array()}, {"finished_not_shown", 0}});
      return JsonText(FleetJobsJson(state_machine().jobs(), state_machine().members()));
    case HttpResource::kNone:
    case HttpResource::kPageFile:
      break;
  }
  return "";
}

}  // namespace pifleet::daemon
