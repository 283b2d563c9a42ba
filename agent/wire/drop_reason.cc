#include "agent/wire/drop_reason.h"

namespace pifleet::wire {

const char* DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kNone:
      return "accepted";
    case DropReason::kTruncated:
      return "truncated";
    case DropReason::kOversize:
      return "oversize";
    case DropReason::kBadMagic:
      return "bad_magic";
    case DropReason::kBadVersion:
      return "bad_version";
    case DropReason::kWrongCluster:
      return "wrong_cluster";
    case DropReason::kUnknownKey:
      return "unknown_key";
    case DropReason::kAuthFailed:
      return "auth_failed";
    case DropReason::kReplay:
      return "replay";
    case DropReason::kOldEpoch:
      return "old_epoch";
    case DropReason::kBadFragment:
      return "bad_fragment";
    case DropReason::kReassemblyEvicted:
      return "reassembly_evicted";
    case DropReason::kMalformed:
      return "malformed";
    case DropReason::kUnknownType:
      return "unknown_type";
    case DropReason::kOutOfBounds:
      return "out_of_bounds";
  }
  return "unknown";
}

}  // namespace pifleet::wire
