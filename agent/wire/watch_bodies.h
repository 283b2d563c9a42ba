// ClientOp::kWatch bodies (docs/formats.md, "Client protocol"): a watch is a pull. The client asks
// for the events of [key, range_end) from a cursor (revision, index of the event within that
// revision); the node answers at once with what it holds (bounded per reply), or holds the request
// until an event arrives or wait_ms pass. The reply carries the cursor to ask from next, so a
// client that moves to another node resumes with no gap and no duplicate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/wire/client_bodies.h"

namespace pifleet::wire {

struct WatchRequestBody {
  std::string key;
  std::string range_end;       // as TxnOpBody: "" the key alone, "\0" every key from key on
  uint64_t from_revision = 0;  // 0: from the node's next revision
  uint64_t from_index = 0;     // events of from_revision to skip (a revision split over replies)
  uint32_t wait_ms = 0;        // hold the request this long when nothing matches yet
  bool operator==(const WatchRequestBody&) const = default;
};

struct WatchEventBody {
  uint8_t type = 0;  // 0 put, 1 delete
  KvRow row;         // a delete: mod_revision is the delete's revision, value empty
  bool operator==(const WatchEventBody&) const = default;
};

struct WatchReplyBody {
  enum Status : uint8_t { kEvents = 0, kCompacted = 1 };
  uint8_t status = kEvents;
  uint64_t oldest_revision = 0;  // the oldest revision this node still holds events of
  uint64_t next_revision = 0;    // the cursor to ask from next
  uint64_t next_index = 0;
  std::vector<WatchEventBody> events;
  bool operator==(const WatchReplyBody&) const = default;
};

// Bounds: a held request waits at most kWatchWaitMsMax; a reply holds at most kWatchEventsMax
// events and kRangeReplyBytesMax bytes of keys, values and per-event framing.
inline constexpr uint32_t kWatchWaitMsMax = 5000;
inline constexpr size_t kWatchEventsMax = 1000;

std::string EncodeBody(const WatchRequestBody& body);
std::string EncodeBody(const WatchReplyBody& body);
bool DecodeBody(const std::string& bytes, WatchRequestBody* out);
bool DecodeBody(const std::string& bytes, WatchReplyBody* out);

}  // namespace pifleet::wire
