// `pifleet repair`: the safe way back for a node whose WAL refuses to start (corruption before
// the tail). A lost promise or accepted value can let this acceptor break consensus, so its
// state is not patched: it is set aside (moved, never deleted) and the node gets a new node id,
// so that it rejoins as a new member and catches up from a snapshot and the healthy majority's
// log. The old identity must then be removed from the configuration (`pifleet leave OLD_ID`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/store/env.h"
#include "agent/store/node_meta.h"

namespace pifleet::store {

struct RepairPlan {
  bool needed = false;    // the WAL or snapshots refuse to open
  std::string diagnosis;  // the refusal (file and offset), or what was found healthy
  NodeMeta old_meta;
  std::string aside_dir;  // <data_dir>/repair-<old node id>-<epoch>
  std::vector<std::string>
      moved;  // entries of the data dir that go there (wal, snap, cluster.meta)
};

// Opens the data dir's WAL and snapshots as the agent would (a torn tail is cut, as at start).
Status PlanRepair(Env* env, const std::string& data_dir, RepairPlan* plan);

// Carries out a needed plan: a copy of node.meta aside, then node.meta with `new_node_id`
// (same cluster, epoch 0) made durable, then every planned entry renamed into the aside dir and
// the data dir synced. In that order, a crash part-way leaves either the old node untouched or
// the new identity with whatever the old one left, which still refuses to start until a rerun.
Status PerformRepair(Env* env, const std::string& data_dir, const RepairPlan& plan,
                     uint64_t new_node_id, NodeMeta* new_meta);

}  // namespace pifleet::store
