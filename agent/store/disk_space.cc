#include "agent/store/disk_space.h"

#include "agent/base/assert.h"

namespace pifleet::store {

DiskFullState::DiskFullState(uint64_t retry_ticks) : retry_ticks_(retry_ticks) {
  PIFLEET_ASSERT(retry_ticks > 0);
}

bool DiskFullState::Observe(const Status& sync_status, uint64_t now_ticks) {
  last_attempt_ticks_ = now_ticks;
  const bool full = sync_status.code() == Status::Code::kNoSpace;
  if (full == full_) return false;
  full_ = full;
  if (full) {
    ++full_events_;
    message_ = sync_status.message();
  } else {
    message_.clear();
  }
  return true;
}

bool DiskFullState::RetryDue(uint64_t now_ticks) const {
  return full_ && now_ticks >= last_attempt_ticks_ + retry_ticks_;
}

Status CheckFreeSpace(Env* env, const std::string& dir, uint64_t reserve_bytes) {
  uint64_t free_bytes = 0;
  Status s = env->GetFreeBytes(dir, &free_bytes);
  if (!s.ok()) return s;
  if (free_bytes < reserve_bytes) {
    return Status::NoSpace(dir + ": " + std::to_string(free_bytes) + " bytes free, " +
                           std::to_string(reserve_bytes) + " needed");
  }
  return Status::Ok();
}

}  // namespace pifleet::store
