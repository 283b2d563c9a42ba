// Text from config files and the network (agent/base/text.h).
#include "agent/base/text.h"

#include <gtest/gtest.h>

namespace pifleet {
namespace {

TEST(CheckText, LengthBoundNamedInTheError) {
  EXPECT_TRUE(CheckText("name", std::string(64, 'n'), 64).ok());
  const Status status = CheckText("name", std::string(2000, 'n'), 64);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message(), "name is 2000 bytes long; the limit is 64 bytes");
}

TEST(CheckText, ControlCharactersAndBrokenUtf8Refused) {
  EXPECT_TRUE(CheckText("name",
                        "pi-01 r\xc3\xa4"
                        "ck",
                        64)
                  .ok());  // UTF-8 is welcome
  for (std::string bad : {std::string("a\nb"), std::string("a\tb"), std::string("\x1b[2J"),
                          std::string("a\x7f"), std::string(1, '\0'), std::string("\xc2\x9b"),
                          std::string("\xff"), std::string("\xc3"), std::string("\xed\xa0\x80")}) {
    EXPECT_FALSE(CheckText("name", bad, 64).ok()) << EscapeForTerminal(bad);
  }
}

TEST(EscapeForTerminal, ControlsEscapedPrintableKept) {
  EXPECT_EQ(EscapeForTerminal("pi-01"), "pi-01");
  EXPECT_EQ(EscapeForTerminal("r\xc3\xa4"
                              "ck"),
            "r\xc3\xa4"
            "ck");
  EXPECT_EQ(EscapeForTerminal("\x1b[2Jx\n"), "\\x1b[2Jx\\x0a");
  EXPECT_EQ(EscapeForTerminal("a\\b"), "a\\\\b");
  EXPECT_EQ(EscapeForTerminal("\xc2\x9b"), "\\xc2\\x9b");  // C1 CSI
  EXPECT_EQ(EscapeForTerminal(std::string("\0", 1)), "\\x00");
}

}  // namespace
}  // namespace pifleet
