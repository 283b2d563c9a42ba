#include "agent/store/repair.h"

#include "agent/store/core_log.h"

namespace pifleet::store {
namespace {

// What makes this node its old self in the cluster: its log, its snapshots, the cluster file
// (agent/daemon/cluster_file.h) that would restart it as a member without joining, and the
// marker of its removal that would keep the new node from joining.
constexpr const char* kAsideEntries[] = {"wal", "snap", "cluster.meta", "removed"};

}  // namespace

Status PlanRepair(Env* env, const std::string& data_dir, RepairPlan* plan) {
  *plan = RepairPlan{};
  Status s = ReadNodeMeta(env, data_dir, &plan->old_meta);
  if (!s.ok()) return s;
  CoreRecovery recovery;
  s = RecoverCore(env, data_dir, WalOptions{.node_id = plan->old_meta.node_id}, &recovery);
  if (s.ok()) {
    plan->diagnosis = recovery.report.ToString();
    return Status::Ok();
  }
  if (s.code() != Status::Code::kCorruption) return s;
  plan->needed = true;
  plan->diagnosis = s.message();
  plan->aside_dir = JoinPath(data_dir, "repair-" + std::to_string(plan->old_meta.node_id) + "-" +
                                           std::to_string(plan->old_meta.boot_epoch));
  for (const char* entry : kAsideEntries) {
    if (env->FileExists(JoinPath(data_dir, entry))) plan->moved.push_back(entry);
  }
  return Status::Ok();
}

Status PerformRepair(Env* env, const std::string& data_dir, const RepairPlan& plan,
                     uint64_t new_node_id, NodeMeta* new_meta) {
  if (!plan.needed) return Status::InvalidArgument("nothing to repair in " + data_dir);
  if (new_node_id == 0 || new_node_id == plan.old_meta.node_id) {
    return Status::InvalidArgument("the new node id must differ from the old one");
  }
  if (env->FileExists(plan.aside_dir)) {
    return Status::InvalidArgument(plan.aside_dir + " exists already; move it away first");
  }
  Status s = env->CreateDir(plan.aside_dir);
  if (s.ok()) {
    s = WriteFileAtomically(env, plan.aside_dir, kNodeMetaFileName, EncodeNodeMeta(plan.old_meta));
  }
  *new_meta = NodeMeta{new_node_id, plan.old_meta.cluster_id, 0};
  if (s.ok()) s = WriteNodeMeta(env, data_dir, *new_meta);
  for (const std::string& entry : plan.moved) {
    if (s.ok()) s = env->RenameFile(JoinPath(data_dir, entry), JoinPath(plan.aside_dir, entry));
  }
  if (s.ok()) s = env->SyncDir(plan.aside_dir);
  if (s.ok()) s = env->SyncDir(data_dir);
  return s;
}

}  // namespace pifleet::store
