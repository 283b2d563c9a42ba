// The fleet page's JSON: member rows as `pifleet members --json` has them plus the LED each shows,
// the jobs the page lists, and the leader changes it keeps.
#include "agent/daemon/fleet_json.h"

#include <gtest/gtest.h>

#include "agent/sm/job_commands.h"
#include "hal/throttle_probe.h"

namespace pifleet::daemon {
namespace {

wire::MemberRow Row(uint64_t id, const std::string& voting, int64_t heard_ms) {
  wire::MemberRow row;
  row.node_id = id;
  row.name = "pi-" + std::to_string(id);
  row.voting = voting;
  row.last_heard_ms = heard_ms;
  row.temperature_milli = 50000;
  return row;
}

TEST(FleetJson, InfersEachMembersLedFromWhatTheLeaderKnows) {
  EXPECT_EQ(InferredLed(Row(1, "voter", 0), 1, true), "leader");
  EXPECT_EQ(InferredLed(Row(2, "voter", 40), 1, true), "follower");
  EXPECT_EQ(InferredLed(Row(3, "learner", 40), 1, true), "learner");
  EXPECT_EQ(InferredLed(Row(4, "none", 40), 1, true), "joining");
  EXPECT_EQ(InferredLed(Row(2, "voter", 3500), 1, true), "unknown");  // down or cut off
  EXPECT_EQ(InferredLed(Row(2, "voter", -1), 1, true), "unknown");    // never heard
  // A follower hears only the leader, so it does not call the others unknown.
  EXPECT_EQ(InferredLed(Row(3, "voter", -1), 1, false), "follower");
  wire::MemberRow hot = Row(2, "voter", 40);
  hot.temperature_milli = 82000;
  EXPECT_EQ(InferredLed(hot, 1, true), "hot-throttled");
  wire::MemberRow capped = Row(2, "voter", 40);
  capped.throttled_bits = hal::kThrottleUnderVoltage;
  EXPECT_EQ(InferredLed(capped, 1, true), "hot-throttled");
  capped.throttled_bits = hal::kThrottleUnderVoltage << hal::kThrottleSinceBootShift;
  EXPECT_EQ(InferredLed(capped, 1, true), "follower");  // only since boot: not now
}

TEST(FleetJson, MembersCarryTheCliRowsAndTheirLeds) {
  wire::MembersBody view;
  view.view_node_id = view.leader_id = 1;
  view.rows = {Row(1, "voter", 0), Row(2, "voter", 20), Row(3, "learner", 9000)};
  const Json page = FleetMembersJson(view, "identify");
  const Json cli = MembersJson(view);
  ASSERT_EQ(page["members"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    for (const auto& [field, value] : cli[i].items()) EXPECT_EQ(page["members"][i][field], value);
  }
  EXPECT_EQ(page["leader_id"], 1);
  EXPECT_EQ(page["leader_id_str"], "1");
  EXPECT_EQ(page["members"][0]["led"], "identify");  // this node's own LED, whatever it is
  EXPECT_EQ(page["members"][0]["led_source"], "own");
  EXPECT_EQ(page["members"][0]["led_steps_ms"], Json::array({50, 50}));
  EXPECT_EQ(page["members"][1]["led"], "follower");
  EXPECT_EQ(page["members"][1]["led_steps_ms"], Json::array());  // steady on
  EXPECT_EQ(page["members"][1]["led_source"], "inferred");
  EXPECT_EQ(page["members"][2]["led"], "unknown");
  // JavaScript's numbers lose ids above 2^53: the page reads the decimal strings.
  view.rows[1].node_id = 12294749578434430153u;
  EXPECT_EQ(FleetMembersJson(view, "leader")["members"][1]["node_id_str"], "12294749578434430153");
}

TEST(FleetJson, JobsListRunningFirstThenTheNewestFinished) {
  sm::MembersTable members;
  sm::JobTable jobs;
  const uint64_t now_ms = 1'000'000;
  for (int i = 0; i < 13; ++i) {
    sm::JobCommand submit = sm::MakeJobCommand(sm::JobKind::kSubmit, now_ms);
    submit.spec.name = "job-" + std::to_string(i);
    submit.spec.first = 0;
    submit.spec.end = 100;
    submit.spec.chunk_min = 1;
    submit.spec.timeout_s = 10;
    submit.spec.argv = {"/bin/true"};
    ASSERT_TRUE(jobs.Apply(sm::EncodeJobCommand(submit), members).ok);
    if (i == 12) break;  // the last one stays queued
    sm::JobCommand cancel = sm::MakeJobCommand(sm::JobKind::kCancel, now_ms);
    cancel.name = submit.spec.name;
    ASSERT_TRUE(jobs.Apply(sm::EncodeJobCommand(cancel), members).ok);
  }
  const Json list = FleetJobsJson(jobs, members);
  ASSERT_EQ(list["jobs"].size(), 11u);
  EXPECT_EQ(list["jobs"][0]["name"], "job-12");
  EXPECT_EQ(list["jobs"][0]["state"], "queued");
  EXPECT_EQ(list["jobs"][1]["name"], "job-11");
  EXPECT_EQ(list["jobs"][10]["name"], "job-2");
  EXPECT_EQ(list["jobs"][1]["state"], "cancelled");
  EXPECT_TRUE(list["jobs"][0].contains("workers"));  // per-node throughput, as job status has
  EXPECT_EQ(list["finished_not_shown"], 2);
}

TEST(FleetJson, LeaderHistoryKeepsChangesOnly) {
  LeaderHistory history;
  history.Observe(0, 1);  // no leader yet: nothing changed
  EXPECT_EQ(history.ToJson().size(), 0u);
  history.Observe(7, 100);
  history.Observe(7, 200);
  history.Observe(0, 300);
  history.Observe(9, 400);
  EXPECT_EQ(history.current(), 9u);
  EXPECT_EQ(history.ToJson(), Json::parse(R"([{"leader_id":7,"leader_id_str":"7","unix_ms":100},
      {"leader_id":0,"leader_id_str":"0","unix_ms":300},
      {"leader_id":9,"leader_id_str":"9","unix_ms":400}])"));
  for (uint64_t i = 0; i < 2 * LeaderHistory::kKept; ++i) history.Observe(10 + i, 500 + i);
  EXPECT_EQ(history.ToJson().size(), LeaderHistory::kKept);
  EXPECT_EQ(history.ToJson().back()["leader_id"], 10 + 2 * LeaderHistory::kKept - 1);
}

}  // namespace
}  // namespace pifleet::daemon
