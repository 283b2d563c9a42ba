#include "agent/daemon/cluster_file.h"

#include <charconv>
#include <sstream>

#include "agent/core/command_check.h"

namespace pifleet::daemon {
namespace {

std::string JoinIds(const std::vector<core::NodeId>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out;
}

bool ParseIds(std::string_view text, std::vector<core::NodeId>* out) {
  out->clear();
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    core::NodeId id = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
    if (ec != std::errc() || end != item.data() + item.size() || id == 0) return false;
    out->push_back(id);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return true;
}

}  // namespace

std::string EncodeClusterFile(const core::Config& initial) {
  return "# pifleet: the cluster's configuration at slot 1. Do not edit.\nvoters=" +
         JoinIds(initial.voters) + "\nlearners=" + JoinIds(initial.learners) + "\n";
}

Status DecodeClusterFile(const std::string& path, const std::string& text, core::Config* out) {
  std::istringstream lines(text);
  std::string line;
  bool voters_seen = false, learners_seen = false;
  core::Config config;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    bool ok = false;
    if (line.rfind("voters=", 0) == 0) {
      ok = !voters_seen && ParseIds(std::string_view(line).substr(7), &config.voters);
      voters_seen = true;
    } else if (line.rfind("learners=", 0) == 0) {
      ok = !learners_seen && ParseIds(std::string_view(line).substr(9), &config.learners);
      learners_seen = true;
    }
    if (!ok) {
      std::string message = path;
      return Status::Corruption(message.append(": unexpected line '").append(line).append("'"));
    }
  }
  if (!voters_seen || !learners_seen || config.voters.empty()) {
    return Status::Corruption(path +
                              ": needs a voters= line with at least one id and a learners= line");
  }
  // The text may come from the network (a join reply): a configuration the core would refuse
  // must never become a core's initial configuration.
  if (Status status = core::CheckConfig(config); !status.ok()) {
    return Status::Corruption(path + ": " + status.message());
  }
  *out = std::move(config);
  return Status::Ok();
}

Status ReadClusterFile(store::Env* env, const std::string& data_dir, core::Config* out) {
  const std::string path = store::JoinPath(data_dir, kClusterFileName);
  if (!env->FileExists(path)) return Status::NotFound(path);
  std::string text;
  if (Status status = store::ReadFileToString(env, path, &text); !status.ok()) return status;
  return DecodeClusterFile(path, text, out);
}

Status WriteClusterFile(store::Env* env, const std::string& data_dir, const core::Config& initial) {
  return store::WriteFileAtomically(env, data_dir, kClusterFileName, EncodeClusterFile(initial));
}

}  // namespace pifleet::daemon
