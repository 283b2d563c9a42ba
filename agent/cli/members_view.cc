#include "agent/cli/members_view.h"

#include <charconv>
#include <sstream>

#include "agent/base/text.h"

namespace pifleet::cli {
namespace {

template <typename T>
T Number(const std::string& text, T fallback) {
  T value = fallback;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() ? value : fallback;
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    fields.push_back(
        line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

// `text` left-aligned in `width` columns, then one space (longer text is printed whole).
std::string Cell(const std::string& text, size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size() + 1, ' ');
}

std::string LastHeardText(const MembersView& view, const MemberRow& row) {
  if (row.last_heard_ms >= 0) return std::to_string(row.last_heard_ms) + " ms ago";
  // Only the leader hears from every member; a follower has no word on the others.
  return view.IsLeadersView() ? "never" : "-";
}

}  // namespace

const MemberRow* MembersView::Find(uint64_t node_id) const {
  for (const MemberRow& row : rows) {
    if (row.node_id == node_id) return &row;
  }
  return nullptr;
}

MembersView ParseMembersPayload(const std::string& payload) {
  MembersView view;
  std::istringstream lines(payload);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> f = SplitTabs(line);
    while (f.size() < 14) f.emplace_back("0");  // older agents: no capacity, no view
    MemberRow row;
    row.node_id = Number<uint64_t>(f[0], 0);
    row.name = f[1];
    row.address = f[2];
    row.voting = f[3];
    row.role = f[4];
    row.version = f[5];
    row.board = f[6];
    row.serial = f[7];
    row.last_heard_ms = Number<int64_t>(f[8], -1);
    row.capacity_milli = Number<uint64_t>(f[9], 0);
    row.temperature_milli = Number<int64_t>(f[10], 0);
    row.throttled_bits = Number<uint64_t>(f[11], 0);
    view.view_node_id = Number<uint64_t>(f[12], 0);
    view.leader_id = Number<uint64_t>(f[13], 0);
    view.rows.push_back(std::move(row));
  }
  return view;
}

daemon::Json MembersJson(const MembersView& view) {
  daemon::Json out = daemon::Json::array();
  for (const MemberRow& r : view.rows) {
    daemon::Json row;
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

std::string MembersText(const MembersView& view) {
  const std::string heard_header =
      view.IsLeadersView() || view.view_node_id == 0
          ? "LAST HEARD"
          : "LAST HEARD (by node " + std::to_string(view.view_node_id) + ", not the leader)";
  std::string out = Cell("NODE", 20) + Cell("NAME", 16) + Cell("ADDRESS", 22) + Cell("VOTING", 8) +
                    Cell("ROLE", 8) + Cell("CAPACITY", 9) + Cell("TEMP", 6) + heard_header + "\n";
  for (const MemberRow& r : view.rows) {
    // Capacity in Mops and degrees C, from the x1000 integers of the members table.
    const std::string capacity = std::to_string(r.capacity_milli / 1000);
    const std::string temp =
        r.temperature_milli == 0 ? "-" : std::to_string(r.temperature_milli / 1000);
    out += Cell(std::to_string(r.node_id), 20) + Cell(EscapeForTerminal(r.name), 16) +
           Cell(EscapeForTerminal(r.address), 22) + Cell(EscapeForTerminal(r.voting), 8) +
           Cell(EscapeForTerminal(r.role), 8) + Cell(capacity, 9) + Cell(temp, 6) +
           LastHeardText(view, r) + "\n";
  }
  return out;
}

}  // namespace pifleet::cli
