// The guard in front of toml++ (agent/base/toml_text.h).
#include "agent/base/toml_text.h"

#include <gtest/gtest.h>

namespace pifleet {
namespace {

Status Check(std::string_view text) { return CheckTomlNonAsciiPlacement(text, "f.toml"); }

TEST(TomlText, NonAsciiInCommentsAndEscapesPasses) {
  EXPECT_TRUE(Check("name = \"pi-\\u044c\" # \xd0\xba\xd0\xbe\n# \xc3\xa4\n").ok());
  EXPECT_TRUE(Check("a = \"esc \\\" # not a comment\" # a comment \xc3\xa4\n").ok());
  EXPECT_TRUE(Check("a = \"\"\"\nx # in the string\n\"\"\"\"\nb = 1 # \xc3\xa4\n").ok());
  EXPECT_TRUE(Check("a = '''x # in it''' # \xc3\xa4\n").ok());
}

TEST(TomlText, NonAsciiElsewhereIsRefusedWithItsPlace) {
  // The fuzz target's findings: toml++ 3.3.0 reaches __builtin_unreachable on these.
  const Status after_value = Check("cluster = \"home\"\nrole = \"auto\"\xd1\x8c\n");
  EXPECT_EQ(after_value.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(after_value.message().rfind("f.toml:2:14: a non-ASCII character outside a comment", 0),
            0u)
      << after_value.message();
  EXPECT_FALSE(Check("role = 3\xd1\x8c\n").ok());
  EXPECT_FALSE(Check("x\xd1\x8c = 1\n").ok()) << "a bare key";
  EXPECT_FALSE(Check("listen =+ch[\"10.z0 \xc4\xbd\n").ok()) << "a bad token scanned past a quote";
  EXPECT_FALSE(Check("name = \"r\xc3\xa4\"\n").ok()) << "raw, even in a string";
  EXPECT_FALSE(Check("name = '''\xc3\xa4'''\n").ok());
  EXPECT_FALSE(Check("a = \"# no comment\" \xc3\xa4\n").ok()) << "a # in a string";
  EXPECT_FALSE(Check("# c\n\xc2\xa0key = 1\n").ok()) << "a comment ends at its line";
}

}  // namespace
}  // namespace pifleet
