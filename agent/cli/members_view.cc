#include "agent/cli/members_view.h"

#include "agent/base/text.h"

namespace pifleet::cli {
namespace {

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
