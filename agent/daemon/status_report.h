// What `pifleet status` shows: one node's view of the cluster. The agent encodes it (msgpack
// map, so fields can be added), the CLI decodes it and prints a table or JSON.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/daemon/json_text.h"

namespace pifleet::daemon {

struct StatusReport {
  uint64_t node_id = 0;
  std::string name;
  std::string cluster;
  std::string version;
  std::string role;  // leader | follower | learner | joining | removed
  uint64_t leader_id = 0;
  uint64_t decided_slot = 0;  // highest slot this node knows decided
  uint64_t applied_slot = 0;  // highest slot applied to its state machine
  uint64_t promised_round = 0;
  uint32_t epoch = 0;
  std::vector<uint64_t> voters;
  std::vector<uint64_t> learners;
  bool disk_full = false;
  uint64_t wal_synced_lsn = 0;
  std::map<std::string, uint64_t> dropped;  // datagrams dropped, by reason
  std::string led;                          // the status LED's pattern (docs/leds.md)
  std::string note;  // what an operator should know, e.g. "removed: stepped down as leader"
};

std::string EncodeStatusReport(const StatusReport& report);
Status DecodeStatusReport(const std::string& bytes, StatusReport* out);
Json StatusReportJson(const StatusReport& report);
std::string StatusReportText(const StatusReport& report);

}  // namespace pifleet::daemon
