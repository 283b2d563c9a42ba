#include "tests/unit/hal/fixture.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pifleet::hal::testing {

std::string FixturePath(const std::string& name) {
  return std::string(PIFLEET_FIXTURES_DIR) + "/" + name;
}

FixtureCopy::FixtureCopy(const std::string& name) {
  std::string pattern = ::testing::TempDir() + "pifleet-hal-XXXXXX";
  char* dir = mkdtemp(pattern.data());
  EXPECT_NE(dir, nullptr) << pattern;
  root_ = pattern;
  std::filesystem::copy(
      FixturePath(name), root_,
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks);
}

FixtureCopy::~FixtureCopy() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\0')) out.pop_back();
  return out;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

}  // namespace pifleet::hal::testing
