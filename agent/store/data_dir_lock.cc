#include "agent/store/data_dir_lock.h"

namespace pifleet::store {

Status LockDataDir(Env* env, const std::string& data_dir, std::unique_ptr<FileLock>* lock) {
  Status s = env->LockFile(JoinPath(data_dir, kLockFileName), lock);
  if (s.ok()) return s;
  if (s.code() != Status::Code::kIOError) return s;  // e.g. NotFound: no such data dir
  return Status::IOError("data dir " + data_dir + " is in use: " + s.message() +
                         " (another pifleet agent or repair; only one may use a data dir)");
}

}  // namespace pifleet::store
