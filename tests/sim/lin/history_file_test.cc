#include "tests/sim/lin/history_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/sim/lin/random_history.h"

namespace pifleet::lin {
namespace {

void ExpectSameOperation(const Operation& a, const Operation& b) {
  EXPECT_EQ(a.client_id, b.client_id);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.expected, b.expected);
  EXPECT_EQ(a.call_time, b.call_time);
  EXPECT_EQ(a.return_time, b.return_time);
  EXPECT_EQ(a.ok, b.ok);
  EXPECT_EQ(a.output, b.output);
}

// Every field, including awkward bytes, survives writing and reading back.
std::vector<Operation> AwkwardHistory() {
  Operation put;
  put.client_id = 18446744073709551615ULL;
  put.key = "tab\there";
  put.kind = OpKind::kPut;
  put.value = std::string("line\nbreak\\back\rcr\x01\x7f\0nul", 25);
  put.call_time = 0;
  put.return_time = 9223372036854775807LL;
  Operation cas;
  cas.client_id = 2;
  cas.key = "k";
  cas.kind = OpKind::kCas;
  cas.expected = "";
  cas.value = "é utf-8";
  cas.ok = false;
  cas.call_time = 5;
  cas.return_time = kPending;
  Operation get;
  get.client_id = 3;
  get.key = "";
  get.kind = OpKind::kGet;
  get.output = "#not a comment";
  get.call_time = 7;
  get.return_time = 7;
  Operation del;
  del.client_id = 4;
  del.key = "k";
  del.kind = OpKind::kDelete;
  del.call_time = 8;
  del.return_time = 12;
  return {put, cas, get, del};
}

TEST(HistoryFile, TextRoundTrips) {
  const std::vector<Operation> history = AwkwardHistory();
  const std::string text = FormatHistory(history);
  std::vector<Operation> back;
  ASSERT_TRUE(ParseHistory(text, &back).ok());
  ASSERT_EQ(back.size(), history.size());
  for (size_t i = 0; i < history.size(); ++i) ExpectSameOperation(back[i], history[i]);
  EXPECT_EQ(FormatHistory(back), text);
}

TEST(HistoryFile, FileRoundTripsARandomHistory) {
  testing::RandomHistoryOptions options;
  options.keys = 3;
  options.operations = 500;
  options.pending_percent = 5;
  const std::vector<Operation> history = testing::GenerateRandomHistory(options);
  const std::string path = ::testing::TempDir() + "lincheck_roundtrip.tsv";
  ASSERT_TRUE(WriteHistoryFile(path, history).ok());
  std::vector<Operation> back;
  const Status status = ReadHistoryFile(path, &back);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(back.size(), history.size());
  for (size_t i = 0; i < history.size(); ++i) ExpectSameOperation(back[i], history[i]);
  std::remove(path.c_str());
}

TEST(HistoryFile, CommentsBlankLinesAndCrlfAreAccepted) {
  std::vector<Operation> history;
  const Status status = ParseHistory(
      "# a comment\n\n1\t0\t10\tput\tx\ta\t\ttrue\t\r\n2\t11\tpending\tget\tx\t\t\tfalse\t\n",
      &history);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].value, "a");
  EXPECT_EQ(history[0].output, "");
  EXPECT_EQ(history[1].return_time, kPending);
}

struct Malformed {
  const char* line;
  const char* message;
};

class MalformedLine : public ::testing::TestWithParam<Malformed> {};

// The bad line is line 3 (after a header and a good line); the error names it and the field.
TEST_P(MalformedLine, IsReportedWithItsLineNumber) {
  const std::string text = std::string(kHistoryHeader) + "\n1\t0\t10\tput\tx\ta\t\ttrue\t\n" +
                           GetParam().line + "\n1\t20\t30\tget\tx\t\t\ttrue\ta\n";
  std::vector<Operation> history;
  const Status status = ParseHistory(text, &history);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("line 3: ", 0), 0u) << status.message();
  EXPECT_NE(status.message().find(GetParam().message), std::string::npos) << status.message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedLine,
    ::testing::Values(Malformed{"1\t0\t10\tput\tx\ta\t\ttrue", "expected 9"},
                      Malformed{"1\t0\t10\tput\tx\ta\t\ttrue\t\textra", "expected 9"},
                      Malformed{"-1\t0\t10\tput\tx\ta\t\ttrue\t", "'client'"},
                      Malformed{"1\tnow\t10\tput\tx\ta\t\ttrue\t", "'call'"},
                      Malformed{"1\t-5\t10\tput\tx\ta\t\ttrue\t", "'call'"},
                      Malformed{"1\t20\t10\tput\tx\ta\t\ttrue\t", "'return'"},
                      Malformed{"1\t0\tlater\tput\tx\ta\t\ttrue\t", "'return'"},
                      Malformed{"1\t0\t10\tincrement\tx\ta\t\ttrue\t", "'kind'"},
                      Malformed{"1\t0\t10\tput\tx\\q\ta\t\ttrue\t", "'key'"},
                      Malformed{"1\t0\t10\tput\tx\ta\\x4\t\ttrue\t", "'value'"},
                      Malformed{"1\t0\t10\tcas\tx\ta\t\\\ttrue\t", "'expected'"},
                      Malformed{"1\t0\t10\tput\tx\ta\t\tyes\t", "'ok'"},
                      Malformed{"1\t0\t10\tget\tx\t\t\ttrue\t\\xzz", "'output'"}));

TEST(HistoryFile, ReadErrorsNameTheFileAndLine) {
  const std::string path = ::testing::TempDir() + "lincheck_bad.tsv";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("1\t0\t10\tput\tx\ta\t\ttrue\t\n1\t0\n", f);
  std::fclose(f);
  std::vector<Operation> history;
  const Status status = ReadHistoryFile(path, &history);
  EXPECT_EQ(status.message().rfind(path + ":2: expected 9", 0), 0u) << status.message();
  std::remove(path.c_str());
}

TEST(HistoryFile, MissingFileIsAnIOError) {
  std::vector<Operation> history;
  const Status status = ReadHistoryFile("/nonexistent/dir/history.tsv", &history);
  EXPECT_EQ(status.code(), Status::Code::kIOError);
  EXPECT_NE(status.message().find("/nonexistent/dir/history.tsv"), std::string::npos);
}

}  // namespace
}  // namespace pifleet::lin
