// One process per data dir: the agent and `pifleet repair` hold an exclusive lock on
// <data dir>/LOCK for their whole life, taken before anything else in the dir is read or
// written. Two agents on one data dir would both append to its WAL and seal with one node id.
#pragma once

#include <memory>
#include <string>

#include "agent/base/status.h"
#include "agent/store/env.h"

namespace pifleet::store {

inline constexpr char kLockFileName[] = "LOCK";

// Takes the lock. If another process holds it: IOError "data dir D is in use: D/LOCK is held by
// PID N ...". The data dir must exist.
Status LockDataDir(Env* env, const std::string& data_dir, std::unique_ptr<FileLock>* lock);

}  // namespace pifleet::store
