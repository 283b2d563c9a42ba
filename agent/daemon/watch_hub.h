// Watches served from this node's applied state (DESIGN §6; docs/formats.md, "Client protocol",
// op 20). The hub keeps a bounded history of the kv events this node applied, in revision order
// (not in the snapshot: a node that restarts or installs a snapshot starts a new history at its
// current revision). A watch is a pull: a request asks for the events of a key range from a cursor
// (revision, index within the revision); the hub answers at once with what it holds, or holds the
// request until a matching event is applied or wait_ms pass, then answers with the cursor to ask
// from next. A client therefore resumes on any node with no gap and no duplicate, and a slow
// watcher costs the node at most one held request: flow control is the client's pull. A cursor
// older than the history is answered "compacted", with the oldest revision held.
//
// Memory bound, whatever the watchers do: kHistoryEventsMax events and kHistoryBytesMax bytes of
// history (keys + values + kEventOverheadBytes each), and kHeldMax held requests (each at most two
// keys of wire::kKvKeyBytesMax + kEventOverheadBytes); past kHeldMax the oldest held request is
// answered at once (no events, the cursor unchanged).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "agent/net/udp_socket.h"
#include "agent/sm/kv.h"
#include "agent/wire/watch_bodies.h"

namespace pifleet::daemon {

class WatchHub {
 public:
  static constexpr size_t kHistoryEventsMax = 10'000;
  static constexpr size_t kHistoryBytesMax = size_t{8} << 20;
  static constexpr size_t kEventOverheadBytes = 128;
  static constexpr size_t kHeldMax = 256;

  // Sends a reply payload for the request (client_id, sequence) to `to`.
  using Send = std::function<void(const net::UdpAddress& to, uint64_t client_id, uint64_t sequence,
                                  std::string payload)>;
  explicit WatchHub(Send send) : send_(std::move(send)) {}

  // After every applied command and every snapshot install: takes the events of a new revision,
  // or starts the history again when the store's revision jumped (an install), then answers the
  // held requests that now have events.
  void OnApplied(const sm::KvStore& kv);
  // A watch request (its payload a wire::WatchRequestBody); false when malformed.
  bool OnRequest(uint64_t client_id, uint64_t sequence, const std::string& payload,
                 const net::UdpAddress& from, uint64_t now_ms);
  // Answers the held requests whose wait is over.
  void OnTick(uint64_t now_ms);
  // The earliest deadline of a held watch (UINT64_MAX: none held).
  uint64_t NextDeadlineMs() const;

  uint64_t oldest_revision() const { return oldest_; }
  uint64_t known_revision() const { return known_; }
  size_t history_events() const { return history_.size(); }
  size_t history_bytes() const { return history_bytes_; }
  size_t held() const { return held_.size(); }

 private:
  struct Held {
    net::UdpAddress address;
    uint64_t client_id = 0;
    uint64_t sequence = 0;
    wire::WatchRequestBody body;  // its cursor made explicit
    uint64_t deadline_ms = 0;
  };

  // The reply for a request whose cursor is explicit and not older than the history.
  wire::WatchReplyBody Collect(const wire::WatchRequestBody& body) const;
  void Append(const sm::KvEvent& event);
  void Evict();
  void Answer(const Held& held, const wire::WatchReplyBody& reply);

  Send send_;
  std::deque<sm::KvEvent> history_;  // in revision order; row.mod_revision is the revision
  size_t history_bytes_ = 0;
  uint64_t oldest_ = 1;  // every event of a revision >= oldest_ (and <= known_) is held
  uint64_t known_ = 0;   // the store's revision when last applied
  std::deque<Held> held_;
};

}  // namespace pifleet::daemon
