#include "tests/sim/watchers.h"

namespace pifleet::sim {
namespace {

std::string At(uint64_t revision, uint64_t index) {
  return std::to_string(revision) + ":" + std::to_string(index);
}

}  // namespace

WatcherPool::WatcherPool(uint32_t watchers, bool resume_at_last_canary)
    : watchers_(watchers), resume_at_last_canary_(resume_at_last_canary) {
  for (uint32_t w = 0; w < watchers; ++w) {
    watchers_[w].node = w;
    watchers_[w].body.range_end = std::string(1, '\0');  // every key
    watchers_[w].body.wait_ms = kWatchWaitMs;
  }
}

std::string WatcherPool::NoteApplied(uint64_t node_id, const sm::KvStore& kv) {
  uint64_t& seen = seen_revision_[node_id];
  const uint64_t revision = kv.revision();
  if (revision == seen) return "";  // not a kv mutation: last_events() is older
  seen = revision;
  const std::vector<sm::KvEvent>& events = kv.last_events();
  if (events.empty() || events.front().row.mod_revision != revision) return "";  // an install
  auto [it, inserted] = applied_.try_emplace(revision, events);
  if (!inserted && it->second != events) {
    return "node " + std::to_string(node_id) + " applied other events at revision " +
           std::to_string(revision) + " than another node";
  }
  return "";
}

std::string WatcherPool::OnReply(uint32_t w, const wire::WatchReplyBody& reply, uint32_t nodes,
                                 bool* moved) {
  Watcher& watcher = watchers_[w];
  *moved = false;
  if (reply.status == wire::WatchReplyBody::kCompacted) {
    if (watcher.body.from_revision >= reply.oldest_revision) {
      return "a node answered 'compacted' to cursor " + std::to_string(watcher.body.from_revision) +
             " while holding revision " + std::to_string(reply.oldest_revision) + " on";
    }
    *moved = true;
    if (++watcher.compacted_in_a_row >= nodes) {  // no node holds it: watch again from now
      watcher.body.from_revision = 0;
      watcher.body.from_index = 0;
      watcher.anchored = false;
      watcher.compacted_in_a_row = 0;
      ++restarts_;
    }
    return "";
  }
  watcher.compacted_in_a_row = 0;
  if (!watcher.anchored) {
    watcher.anchored = true;
    watcher.due_revision =
        reply.events.empty() ? reply.next_revision : reply.events.front().row.mod_revision;
    watcher.due_index = reply.events.empty() ? reply.next_index : 0;
  }
  for (const wire::WatchEventBody& event : reply.events) {
    if (std::string v = Check(watcher, event); !v.empty()) {
      return "watcher " + std::to_string(w + 1) + ": " + v;
    }
  }
  if (watcher.body.from_revision != 0 &&
      std::pair(reply.next_revision, reply.next_index) <
          std::pair(watcher.body.from_revision, watcher.body.from_index)) {
    return "watcher " + std::to_string(w + 1) + ": the cursor went back from " +
           At(watcher.body.from_revision, watcher.body.from_index) + " to " +
           At(reply.next_revision, reply.next_index);
  }
  watcher.body.from_revision = reply.next_revision;
  watcher.body.from_index = reply.next_index;
  return "";
}

void WatcherPool::MoveTo(uint32_t w, uint32_t node) {
  Watcher& watcher = watchers_[w];
  watcher.node = node;
  // The canary: ask from the last revision seen, not from the cursor the last reply named.
  if (resume_at_last_canary_ && watcher.last_revision != 0) {
    watcher.body.from_revision = watcher.last_revision;
    watcher.body.from_index = 0;
  }
}

std::string WatcherPool::Check(Watcher& watcher, const wire::WatchEventBody& event) {
  auto due = applied_.find(watcher.due_revision);
  if (due != applied_.end() && watcher.due_index >= due->second.size()) {
    ++watcher.due_revision;  // every revision has at least one event
    watcher.due_index = 0;
    due = applied_.find(watcher.due_revision);
  }
  const uint64_t revision = event.row.mod_revision;
  const std::string due_at = At(watcher.due_revision, watcher.due_index);
  if (revision > watcher.due_revision) {
    return "a gap: got an event of revision " + std::to_string(revision) + " while " + due_at +
           " was due";
  }
  if (revision < watcher.due_revision) {
    return "a duplicate: got an event of revision " + std::to_string(revision) + " again while " +
           due_at + " was due";
  }
  if (due == applied_.end()) {
    return "an event of revision " + std::to_string(revision) + ", which no node applied";
  }
  const sm::KvEvent& applied = due->second[watcher.due_index];
  if (event.type != static_cast<uint8_t>(applied.type) || !(event.row == applied.row)) {
    return "event " + due_at + " differs from the one applied (a duplicate or a reorder)";
  }
  ++watcher.due_index;
  watcher.last_revision = revision;
  ++events_checked_;
  return "";
}

}  // namespace pifleet::sim
