#include "agent/cli/members_view.h"

#include <gtest/gtest.h>

#include <string>

namespace pifleet::cli {
namespace {

std::string Row(const std::string& id, const std::string& name, const std::string& heard,
                const std::string& view) {
  return id + "\t" + name + "\t127.0.0.1:7101\tvoter\tauto\t0.1.0\tPi 4\tserial\t" + heard +
         "\t4000\t51000\t0\t" + view + "\n";
}

// Issue 13/18: `members --json` is valid JSON whatever the names: quotes, backslashes, control
// characters and bytes that are not UTF-8 (JSON cannot carry those; they become U+FFFD).
TEST(MembersView, JsonIsValidWhateverTheNamesHold) {
  const std::string names[] = {"pi \"quoted\"",
                               "back\\slash\\",
                               std::string("nul\0bell\a", 9),
                               "tab\there\nnewline\x1b[31m",
                               "latin1 \xe9\xff bytes",
                               "cut utf-8 \xc3",
                               "caf\xc3\xa9"};
  // Built as parsed rows: the renderers take the parsed view, whatever carried it.
  MembersView view;
  view.view_node_id = view.leader_id = 1;
  uint64_t id = 1;
  for (const std::string& name : names) {
    MemberRow row;
    row.node_id = id++;
    row.name = name;
    row.address = "127.0.0.1:7101";
    row.voting = "voter";
    row.last_heard_ms = 5;
    view.rows.push_back(row);
  }
  const std::string text = daemon::JsonText(MembersJson(view));
  daemon::Json parsed;
  ASSERT_NO_THROW(parsed = daemon::Json::parse(text)) << text;  // parse() checks UTF-8 too
  ASSERT_EQ(parsed.size(), std::size(names));
  EXPECT_EQ(parsed[0]["name"], names[0]);
  EXPECT_EQ(parsed[1]["name"], names[1]);
  EXPECT_EQ(parsed[2]["name"], names[2]) << "control characters are escaped, not dropped";
  EXPECT_EQ(parsed[3]["name"], names[3]);
  EXPECT_EQ(parsed[4]["name"], "latin1 \xef\xbf\xbd\xef\xbf\xbd bytes");
  EXPECT_EQ(parsed[6]["name"], "caf\xc3\xa9");
  EXPECT_EQ(parsed[0]["node_id"], 1u);
  EXPECT_EQ(parsed[0]["last_heard_ms"], 5);
  EXPECT_EQ(parsed[0]["last_heard_by"], 1u);
  for (char c : text) EXPECT_NE(static_cast<unsigned char>(c), 0x1bu) << "raw ESC in the JSON";
  // The table for people shows control characters as \xNN, never raw.
  const std::string table = MembersText(view);
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
  EXPECT_NE(table.find("tab\\x09here\\x0anewline\\x1b[31m"), std::string::npos) << table;
}

// LAST HEARD is the leader's view; a follower's view says whose it is and never says "never".
TEST(MembersView, LastHeardSaysWhoseViewItIs) {
  const std::string payload =
      Row("1", "a", "0", "2\t1") + Row("2", "b", "0", "2\t1") + Row("3", "c", "-1", "2\t1");
  MembersView view = ParseMembersPayload(payload);
  EXPECT_EQ(view.view_node_id, 2u);
  EXPECT_EQ(view.leader_id, 1u);
  EXPECT_FALSE(view.IsLeadersView());
  std::string table = MembersText(view);
  EXPECT_NE(table.find("LAST HEARD (by node 2, not the leader)"), std::string::npos) << table;
  EXPECT_EQ(table.find("never"), std::string::npos) << table;
  const daemon::Json json = MembersJson(view);
  EXPECT_EQ(json[2]["last_heard_ms"], -1);
  EXPECT_EQ(json[2]["last_heard_by"], 2u);

  view = ParseMembersPayload(Row("1", "a", "0", "1\t1") + Row("3", "c", "-1", "1\t1"));
  EXPECT_TRUE(view.IsLeadersView());
  table = MembersText(view);
  EXPECT_NE(table.find("LAST HEARD\n"), std::string::npos) << table;
  EXPECT_NE(table.find("never"), std::string::npos) << "the leader never heard node 3";
}

// Agents from before the view columns send 12 fields: parsed, the view unknown.
TEST(MembersView, OlderAgentsTablesStillParse) {
  const MembersView view =
      ParseMembersPayload("7\tpi\t10.0.0.7:7101\tlearner\tauto\t0.1.0\t\t\t250\n");
  ASSERT_EQ(view.rows.size(), 1u);
  EXPECT_EQ(view.rows[0].node_id, 7u);
  EXPECT_EQ(view.rows[0].last_heard_ms, 250);
  EXPECT_EQ(view.rows[0].capacity_milli, 0u);
  EXPECT_EQ(view.view_node_id, 0u);
  EXPECT_NE(MembersText(view).find("250 ms ago"), std::string::npos);
}

}  // namespace
}  // namespace pifleet::cli
