// The real file system (POSIX). The only file in agent/store that makes system calls.
#pragma once

#include "agent/store/env.h"

namespace pifleet::store {

// A process-wide PosixEnv; it holds no state, so sharing it between threads is safe.
Env* PosixEnv();

}  // namespace pifleet::store
