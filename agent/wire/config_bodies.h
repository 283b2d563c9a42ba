// ClientOp::kConfigSet and kConfigList bodies (docs/formats.md, "Client protocol";
// docs/configuration.md, "Runtime settings"). A set (or unset) goes through the log in a session;
// its reply is a KvReplyBody whose value is "REVISION". A list is this node's view: every
// runtime setting with the value in effect here and where it comes from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pifleet::wire {

// Names and values of settings are short; anything longer is malformed.
inline constexpr size_t kSettingNameBytesMax = 64;
inline constexpr size_t kSettingValueBytesMax = 256;
inline constexpr size_t kSettingRowsMax = 64;

struct ConfigSetBody {
  std::string name;
  std::string value;
  bool unset = false;  // remove the cluster's value: every node goes back to its own
  bool operator==(const ConfigSetBody&) const = default;
};

struct ConfigRow {
  std::string name;
  std::string value;          // in effect on the answering node
  bool from_cluster = false;  // set through `pifleet config set` (else the node's own value)
  uint64_t mod_revision = 0;  // of the cluster's value (0: not set)
  std::string allowed;        // the range, for people
  bool operator==(const ConfigRow&) const = default;
};

struct ConfigListBody {
  std::vector<ConfigRow> rows;
  bool operator==(const ConfigListBody&) const = default;
};

std::string EncodeBody(const ConfigSetBody& body);
std::string EncodeBody(const ConfigListBody& body);
bool DecodeBody(const std::string& bytes, ConfigSetBody* out);
bool DecodeBody(const std::string& bytes, ConfigListBody* out);

}  // namespace pifleet::wire
