#include "agent/cli/members_view.h"

#include <gtest/gtest.h>

#include <string>

namespace pifleet::cli {
namespace {

MemberRow Row(uint64_t id, const std::string& name, int64_t heard_ms) {
  MemberRow row;
  row.node_id = id;
  row.name = name;
  row.address = "127.0.0.1:7101";
  row.voting = "voter";
  row.role = "auto";
  row.last_heard_ms = heard_ms;
  row.capacity_milli = 4000;
  row.temperature_milli = 51000;
  return row;
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
  MembersView view{2, 1, {Row(1, "a", 0), Row(2, "b", 0), Row(3, "c", -1)}};
  EXPECT_FALSE(view.IsLeadersView());
  std::string table = MembersText(view);
  EXPECT_NE(table.find("LAST HEARD (by node 2, not the leader)"), std::string::npos) << table;
  EXPECT_EQ(table.find("never"), std::string::npos) << table;
  const daemon::Json json = MembersJson(view);
  EXPECT_EQ(json[2]["last_heard_ms"], -1);
  EXPECT_EQ(json[2]["last_heard_by"], 2u);
  EXPECT_EQ(json[0]["capacity_milli"], 4000);

  view = MembersView{1, 1, {Row(1, "a", 0), Row(3, "c", -1)}};
  EXPECT_TRUE(view.IsLeadersView());
  table = MembersText(view);
  EXPECT_NE(table.find("LAST HEARD\n"), std::string::npos) << table;
  EXPECT_NE(table.find("never"), std::string::npos) << "the leader never heard node 3";
  view.rows[1].last_heard_ms = 250;
  EXPECT_NE(MembersText(view).find("250 ms ago"), std::string::npos);
}

}  // namespace
}  // namespace pifleet::cli
