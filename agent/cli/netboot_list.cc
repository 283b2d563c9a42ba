// `pifleet netboot list`: the Pis under ROOT/nodes (written by provisioning/pifleet-netboot:
// one value per file) joined with the cluster's members table by serial or hostname.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/cli/client.h"
#include "agent/cli/command.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::cli {
namespace {

namespace fs = std::filesystem;

struct NetbootNode {
  std::string serial, hostname, mac, ip;
  long long enrolled = 0, first_boot = 0, last_boot = 0;  // unix seconds; 0: never
  int joined = -1;                                        // -1 unknown, 0 no, 1 yes
  std::string node_id, voting;
};

std::string ReadValue(const fs::path& file) {
  std::ifstream in(file);
  std::string value;
  std::getline(in, value);
  return value;
}

long long ReadTime(const fs::path& file) {
  const std::string v = ReadValue(file);
  return v.empty() ? 0 : std::atoll(v.c_str());
}

bool IsSerial(const std::string& s) {
  return s.size() == 8 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

std::vector<NetbootNode> ReadNodes(const fs::path& dir) {
  std::vector<NetbootNode> nodes;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string serial = entry.path().filename().string();
    if (!entry.is_directory() || !IsSerial(serial)) continue;
    NetbootNode n;
    n.serial = serial;
    n.hostname = ReadValue(entry.path() / "hostname");
    n.mac = ReadValue(entry.path() / "mac");
    n.ip = ReadValue(entry.path() / "ip");
    n.enrolled = ReadTime(entry.path() / "enrolled");
    n.first_boot = ReadTime(entry.path() / "first_boot");
    n.last_boot = ReadTime(entry.path() / "last_boot");
    nodes.push_back(n);
  }
  std::sort(nodes.begin(), nodes.end(),
            [](const NetbootNode& a, const NetbootNode& b) { return a.serial < b.serial; });
  return nodes;
}

// Marks each Pi found in the members reply (docs/formats.md "Client protocol") by the last 8
// hex digits of its serial, or by its hostname.
void MarkJoined(const std::string& members_payload, std::vector<NetbootNode>* nodes) {
  wire::MembersBody members;
  if (!wire::DecodeBody(members_payload, &members)) members.rows.clear();
  for (auto& n : *nodes) {
    n.joined = 0;
    for (const wire::MemberRow& m : members.rows) {
      std::string serial = m.serial;
      std::transform(serial.begin(), serial.end(), serial.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      const bool same_serial = serial.size() >= 8 && serial.substr(serial.size() - 8) == n.serial;
      if (same_serial || (!n.hostname.empty() && m.name == n.hostname)) {
        n.joined = 1;
        n.node_id = std::to_string(m.node_id);
        n.voting = m.voting;  // voter or learner
      }
    }
  }
}

std::string TimeText(long long t) {
  if (t == 0) return "never";
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

void PrintJson(const std::vector<NetbootNode>& nodes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& n : nodes) {
    auto orNull = [](long long t) { return t == 0 ? nlohmann::json() : nlohmann::json(t); };
    nlohmann::json row = {
        {"serial", n.serial},
        {"hostname", n.hostname},
        {"mac", n.mac.empty() ? nlohmann::json() : nlohmann::json(n.mac)},
        {"ip", n.ip.empty() ? nlohmann::json() : nlohmann::json(n.ip)},
        {"enrolled_unix", orNull(n.enrolled)},
        {"first_boot_unix", orNull(n.first_boot)},
        {"last_boot_unix", orNull(n.last_boot)},
        {"joined", n.joined < 0 ? nlohmann::json() : nlohmann::json(n.joined == 1)},
        {"node_id", n.node_id.empty() ? nlohmann::json() : nlohmann::json(n.node_id)},
        {"voting", n.voting.empty() ? nlohmann::json() : nlohmann::json(n.voting)}};
    out.push_back(row);
  }
  std::printf("%s\n", out.dump(1).c_str());
}

void PrintTable(const std::vector<NetbootNode>& nodes) {
  std::printf("%-9s %-20s %-17s %-21s %-21s %s\n", "SERIAL", "HOSTNAME", "MAC", "FIRST BOOT",
              "LAST BOOT", "JOINED");
  for (const auto& n : nodes) {
    std::string joined = n.joined < 0 ? "?" : n.joined ? "yes" : "no";
    if (n.joined == 1) joined += " (" + n.voting + ", id " + n.node_id + ")";
    std::printf("%-9s %-20s %-17s %-21s %-21s %s\n", n.serial.c_str(), n.hostname.c_str(),
                n.mac.empty() ? "-" : n.mac.c_str(), TimeText(n.first_boot).c_str(),
                TimeText(n.last_boot).c_str(), joined.c_str());
  }
}

}  // namespace

int RunNetbootList(const ClientOptions& client, const std::string& root, bool json, bool offline) {
  const fs::path nodes_dir = fs::path(root) / "nodes";
  std::error_code ec;
  if (!fs::is_directory(nodes_dir, ec)) {
    std::fprintf(stderr, "pifleet netboot list: %s is not a netboot root (no nodes/ in it)\n",
                 root.c_str());
    return kExitError;
  }
  std::vector<NetbootNode> nodes;
  try {
    nodes = ReadNodes(nodes_dir);
  } catch (const fs::filesystem_error& e) {
    std::fprintf(stderr, "pifleet netboot list: %s\n", e.what());
    return kExitError;
  }
  int code = kExitOk;
  if (!offline && !nodes.empty()) {
    wire::ClientReply reply;
    code = CallCommand("netboot list", client, wire::ClientOp::kMembers, "", &reply);
    if (code == kExitOk) {
      MarkJoined(reply.payload, &nodes);
    } else {
      std::fprintf(stderr, "pifleet netboot list: no members table: joined shown as unknown\n");
    }
  }
  if (json) {
    PrintJson(nodes);
  } else {
    PrintTable(nodes);
  }
  return code;
}

}  // namespace pifleet::cli
