#include "agent/daemon/watch_hub.h"

#include <algorithm>

namespace pifleet::daemon {
namespace {

uint64_t RevisionOf(const sm::KvEvent& event) { return event.row.mod_revision; }

bool InRange(const std::string& key, const wire::WatchRequestBody& body) {
  if (body.range_end.empty()) return key == body.key;
  return key >= body.key && (body.range_end == std::string(1, '\0') || key < body.range_end);
}

size_t EventBytes(const sm::KvEvent& event) {
  return event.row.key.size() + event.row.value.size() + WatchHub::kEventOverheadBytes;
}

// The answer to a cursor older than the history: the oldest revision held, the cursor unchanged.
wire::WatchReplyBody Compacted(const wire::WatchRequestBody& body, uint64_t oldest) {
  wire::WatchReplyBody reply;
  reply.status = wire::WatchReplyBody::kCompacted;
  reply.oldest_revision = oldest;
  reply.next_revision = body.from_revision;
  reply.next_index = body.from_index;
  return reply;
}

}  // namespace

void WatchHub::OnApplied(const sm::KvStore& kv) {
  const uint64_t revision = kv.revision();
  if (revision == known_) return;
  const std::vector<sm::KvEvent>& events = kv.last_events();
  const bool fresh = !events.empty() && RevisionOf(events.front()) == revision;
  if (revision != known_ + 1 || !fresh) {
    // The store jumped (a snapshot install, or commands applied before the hub saw them): the
    // events in between are not known here.
    history_.clear();
    history_bytes_ = 0;
    oldest_ = fresh ? revision : revision + 1;
  }
  if (fresh) {
    for (const sm::KvEvent& event : events) Append(event);
  }
  known_ = revision;
  Evict();
  for (auto it = held_.begin(); it != held_.end();) {
    // A held cursor the new history no longer covers is told so, never answered with a gap.
    const wire::WatchReplyBody reply =
        it->body.from_revision < oldest_ ? Compacted(it->body, oldest_) : Collect(it->body);
    if (reply.events.empty() && reply.status == wire::WatchReplyBody::kEvents) {
      ++it;
      continue;
    }
    Answer(*it, reply);
    it = held_.erase(it);
  }
}

void WatchHub::Append(const sm::KvEvent& event) {
  history_bytes_ += EventBytes(event);
  history_.push_back(event);
}

void WatchHub::Evict() {
  // Whole revisions go, oldest first, so a revision is held entirely or not at all.
  while (!history_.empty() &&
         (history_.size() > kHistoryEventsMax || history_bytes_ > kHistoryBytesMax)) {
    const uint64_t revision = RevisionOf(history_.front());
    while (!history_.empty() && RevisionOf(history_.front()) == revision) {
      history_bytes_ -= EventBytes(history_.front());
      history_.pop_front();
    }
    oldest_ = history_.empty() ? known_ + 1 : RevisionOf(history_.front());
  }
}

wire::WatchReplyBody WatchHub::Collect(const wire::WatchRequestBody& body) const {
  wire::WatchReplyBody reply;
  reply.oldest_revision = oldest_;
  reply.next_revision = body.from_revision;
  reply.next_index = body.from_index;
  if (body.from_revision > known_) return reply;  // ahead of this node: nothing yet, keep it
  auto it = std::lower_bound(
      history_.begin(), history_.end(), body.from_revision,
      [](const sm::KvEvent& event, uint64_t revision) { return RevisionOf(event) < revision; });
  uint64_t index = 0;
  size_t bytes = 0;
  for (; it != history_.end(); ++it) {
    const uint64_t revision = RevisionOf(*it);
    index = it != history_.begin() && RevisionOf(*std::prev(it)) == revision ? index + 1 : 0;
    if (revision == body.from_revision && index < body.from_index) continue;
    if (!InRange(it->row.key, body)) continue;
    const size_t event_bytes = EventBytes(*it);
    if (reply.events.size() >= wire::kWatchEventsMax ||
        bytes + event_bytes > wire::kRangeReplyBytesMax + kEventOverheadBytes) {
      reply.next_revision = revision;  // the rest next time, from this very event
      reply.next_index = index;
      return reply;
    }
    bytes += event_bytes;
    reply.events.push_back(wire::WatchEventBody{
        static_cast<uint8_t>(it->type == sm::KvEvent::Type::kPut ? 0 : 1), it->row});
  }
  // Every event up to known_ was looked at: the next one is of a later revision.
  reply.next_revision = known_ + 1;
  reply.next_index = 0;
  return reply;
}

bool WatchHub::OnRequest(uint64_t client_id, uint64_t sequence, const std::string& payload,
                         const net::UdpAddress& from, uint64_t now_ms) {
  Held request{from, client_id, sequence, {}, 0};
  if (!wire::DecodeBody(payload, &request.body)) return false;
  if (request.body.from_revision == 0)
    request.body = {request.body.key, request.body.range_end, known_ + 1, 0, request.body.wait_ms};
  // A client waits on one request at a time: a newer one replaces its held one.
  std::erase_if(held_, [&](const Held& held) { return held.client_id == client_id; });
  if (request.body.from_revision < oldest_) {
    Answer(request, Compacted(request.body, oldest_));
    return true;
  }
  const wire::WatchReplyBody reply = Collect(request.body);
  if (!reply.events.empty() || request.body.wait_ms == 0) {
    Answer(request, reply);
    return true;
  }
  if (held_.size() >= kHeldMax) {
    Answer(held_.front(), Collect(held_.front().body));
    held_.pop_front();
  }
  request.deadline_ms = now_ms + request.body.wait_ms;
  held_.push_back(std::move(request));
  return true;
}

uint64_t WatchHub::NextDeadlineMs() const {
  uint64_t next_ms = UINT64_MAX;
  for (const Held& held : held_) next_ms = std::min(next_ms, held.deadline_ms);
  return next_ms;
}

void WatchHub::OnTick(uint64_t now_ms) {
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->deadline_ms > now_ms) {
      ++it;
      continue;
    }
    Answer(*it, Collect(it->body));
    it = held_.erase(it);
  }
}

void WatchHub::Answer(const Held& held, const wire::WatchReplyBody& reply) {
  send_(held.address, held.client_id, held.sequence, wire::EncodeBody(reply));
}

}  // namespace pifleet::daemon
