// cluster.meta: the configuration of slot 1, which every replica of the cluster starts from
// (the Seed role). The seed writes it when it creates the cluster; a joining node writes what
// the member it joined through told it. Written once, atomically; read at every start.
#pragma once

#include <string>

#include "agent/base/status.h"
#include "agent/core/types.h"
#include "agent/store/env.h"

namespace pifleet::daemon {

inline constexpr char kClusterFileName[] = "cluster.meta";
// Written when this node sees itself removed (`pifleet leave`): it keeps a restarted agent from
// rejoining through --join. A removed Pi joins again as a new node from an empty data dir.
inline constexpr char kRemovedFileName[] = "removed";

std::string EncodeClusterFile(const core::Config& initial);
// Corruption naming the path when the text is not what EncodeClusterFile writes.
Status DecodeClusterFile(const std::string& path, const std::string& text, core::Config* out);

// NotFound when the node has never been part of a cluster.
Status ReadClusterFile(store::Env* env, const std::string& data_dir, core::Config* out);
Status WriteClusterFile(store::Env* env, const std::string& data_dir, const core::Config& initial);

}  // namespace pifleet::daemon
