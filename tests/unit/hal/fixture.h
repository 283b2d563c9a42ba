// Fixture sysroots for hal tests: the trees in tests/fixtures, read in place or copied to a
// temporary directory when a test writes to them.
#pragma once

#include <string>

namespace pifleet::hal::testing {

std::string FixturePath(const std::string& name);

// A private copy of tests/fixtures/<name>, deleted with this object.
class FixtureCopy {
 public:
  explicit FixtureCopy(const std::string& name);
  ~FixtureCopy();
  FixtureCopy(const FixtureCopy&) = delete;
  FixtureCopy& operator=(const FixtureCopy&) = delete;

  const std::string& root() const { return root_; }
  std::string Path(const std::string& relative) const { return root_ + "/" + relative; }

 private:
  std::string root_;
};

// The file's contents without trailing newline; "" when missing.
std::string ReadText(const std::string& path);
void WriteText(const std::string& path, const std::string& text);

}  // namespace pifleet::hal::testing
