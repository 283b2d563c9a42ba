// `pifleet members`: the members table as one node sent it, parsed, and its two renderings
// (a table for people, JSON for scripts). Rendering takes the parsed view, never the payload,
// so the table's transport can change without touching the output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/daemon/json_text.h"

namespace pifleet::cli {

struct MemberRow {
  uint64_t node_id = 0;
  std::string name;
  std::string address;
  std::string voting;  // voter | learner | none
  std::string role;    // requested: voter | learner | auto
  std::string version;
  std::string board;
  std::string serial;
  int64_t last_heard_ms = -1;  // as view_node_id saw it; -1: never heard
  uint64_t capacity_milli = 0;
  int64_t temperature_milli = 0;
  uint64_t throttled_bits = 0;
};

struct MembersView {
  uint64_t view_node_id = 0;  // the node that answered: LAST HEARD is its view (0: unknown)
  uint64_t leader_id = 0;     // the leader it knew of (0: none)
  std::vector<MemberRow> rows;
  bool IsLeadersView() const { return view_node_id != 0 && view_node_id == leader_id; }
  const MemberRow* Find(uint64_t node_id) const;
};

// The agent's members payload: one tab-separated line per node (fields as in MemberRow, then
// the answering node's id and its leader's id; agents before that send 12 fields).
MembersView ParseMembersPayload(const std::string& payload);
daemon::Json MembersJson(const MembersView& view);
std::string MembersText(const MembersView& view);

}  // namespace pifleet::cli
