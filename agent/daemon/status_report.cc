#include "agent/daemon/status_report.h"

#include <msgpack.hpp>

namespace pifleet::daemon {
namespace {

std::string IdList(const std::vector<uint64_t>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out;
}

}  // namespace

std::string EncodeStatusReport(const StatusReport& r) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(18);
  pk.pack(std::string("node_id")), pk.pack(r.node_id);
  pk.pack(std::string("name")), pk.pack(r.name);
  pk.pack(std::string("cluster")), pk.pack(r.cluster);
  pk.pack(std::string("version")), pk.pack(r.version);
  pk.pack(std::string("role")), pk.pack(r.role);
  pk.pack(std::string("leader_id")), pk.pack(r.leader_id);
  pk.pack(std::string("decided_slot")), pk.pack(r.decided_slot);
  pk.pack(std::string("applied_slot")), pk.pack(r.applied_slot);
  pk.pack(std::string("promised_round")), pk.pack(r.promised_round);
  pk.pack(std::string("epoch")), pk.pack(r.epoch);
  pk.pack(std::string("voters")), pk.pack(r.voters);
  pk.pack(std::string("learners")), pk.pack(r.learners);
  pk.pack(std::string("disk_full")), pk.pack(r.disk_full);
  pk.pack(std::string("wal_synced_lsn")), pk.pack(r.wal_synced_lsn);
  pk.pack(std::string("dropped")), pk.pack(r.dropped);
  pk.pack(std::string("led")), pk.pack(r.led);
  pk.pack(std::string("note")), pk.pack(r.note);
  pk.pack(std::string("format")), pk.pack(1);
  return std::string(buffer.data(), buffer.size());
}

Status DecodeStatusReport(const std::string& bytes, StatusReport* out) {
  try {
    const msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
    const msgpack::object& root = handle.get();
    if (root.type != msgpack::type::MAP) return Status::Corruption("status is not a map");
    StatusReport r;
    for (const auto& kv : std::span(root.via.map.ptr, root.via.map.size)) {
      const std::string key = kv.key.as<std::string>();
      const msgpack::object& v = kv.val;
      if (key == "node_id")
        r.node_id = v.as<uint64_t>();
      else if (key == "name")
        r.name = v.as<std::string>();
      else if (key == "cluster")
        r.cluster = v.as<std::string>();
      else if (key == "version")
        r.version = v.as<std::string>();
      else if (key == "role")
        r.role = v.as<std::string>();
      else if (key == "leader_id")
        r.leader_id = v.as<uint64_t>();
      else if (key == "decided_slot")
        r.decided_slot = v.as<uint64_t>();
      else if (key == "applied_slot")
        r.applied_slot = v.as<uint64_t>();
      else if (key == "promised_round")
        r.promised_round = v.as<uint64_t>();
      else if (key == "epoch")
        r.epoch = v.as<uint32_t>();
      else if (key == "voters")
        r.voters = v.as<std::vector<uint64_t>>();
      else if (key == "learners")
        r.learners = v.as<std::vector<uint64_t>>();
      else if (key == "disk_full")
        r.disk_full = v.as<bool>();
      else if (key == "wal_synced_lsn")
        r.wal_synced_lsn = v.as<uint64_t>();
      else if (key == "dropped")
        r.dropped = v.as<std::map<std::string, uint64_t>>();
      else if (key == "led")
        r.led = v.as<std::string>();
      else if (key == "note")
        r.note = v.as<std::string>();
      // Unknown keys come from newer agents: ignored.
    }
    *out = std::move(r);
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("status reply: ") + e.what());
  }
}

Json StatusReportJson(const StatusReport& r) {
  Json out;
  out["node_id"] = r.node_id;
  out["name"] = r.name;
  out["cluster"] = r.cluster;
  out["version"] = r.version;
  out["role"] = r.role;
  out["leader_id"] = r.leader_id;
  out["decided_slot"] = r.decided_slot;
  out["applied_slot"] = r.applied_slot;
  out["promised_round"] = r.promised_round;
  out["epoch"] = r.epoch;
  out["voters"] = r.voters;
  out["learners"] = r.learners;
  out["disk_full"] = r.disk_full;
  out["wal_synced_lsn"] = r.wal_synced_lsn;
  out["dropped"] = Json::object();
  for (const auto& [reason, count] : r.dropped) out["dropped"][reason] = count;
  out["led"] = r.led;
  out["note"] = r.note;
  return out;
}

std::string StatusReportText(const StatusReport& r) {
  uint64_t dropped_total = 0;
  std::string dropped_detail;
  for (const auto& [reason, count] : r.dropped) {
    if (count == 0 || reason == "accepted") continue;
    dropped_total += count;
    dropped_detail += (dropped_detail.empty() ? "" : ", ") + reason + " " + std::to_string(count);
  }
  return "node      " + std::to_string(r.node_id) + " (" + r.name + ")\n" + "cluster   " +
         r.cluster + "\nrole      " + r.role + "\nled       " + (r.led.empty() ? "-" : r.led) +
         "\nleader    " + (r.leader_id ? std::to_string(r.leader_id) : "unknown") +
         "\ndecided   slot " + std::to_string(r.decided_slot) + "\napplied   slot " +
         std::to_string(r.applied_slot) + "\nvoters    " + IdList(r.voters) + "\nlearners  " +
         (r.learners.empty() ? "-" : IdList(r.learners)) + "\ndisk      " +
         (r.disk_full ? "FULL: not voting" : "ok") + "\ndropped   " +
         std::to_string(dropped_total) +
         (dropped_detail.empty() ? "" : " (" + dropped_detail + ")") + "\nversion   " + r.version +
         ", epoch " + std::to_string(r.epoch) + "\n" +
         (r.note.empty() ? "" : "note      " + r.note + "\n");
}

}  // namespace pifleet::daemon
