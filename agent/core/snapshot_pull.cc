#include "agent/core/snapshot_pull.h"

#include <algorithm>
#include <utility>

#include "agent/base/assert.h"
#include "agent/core/constants.h"

namespace pifleet::core {

void SnapshotPull::Start(NodeId source, const SnapshotOffer& offer) {
  PIFLEET_ASSERT(source != 0 && offer.bytes > 0 && offer.bytes <= kSnapshotBytesMax);
  Reset();
  source_ = source;
  offer_ = offer;
}

uint64_t SnapshotPull::ChunkCount() const {
  return (offer_.bytes + kSnapshotChunkBytes - 1) / kSnapshotChunkBytes;
}

uint64_t SnapshotPull::ChunkBytes(uint64_t index) const {
  return std::min(kSnapshotChunkBytes, offer_.bytes - index * kSnapshotChunkBytes);
}

void SnapshotPull::OnChunk(const SnapshotChunk& chunk) {
  if (!active() || chunk.slot != offer_.slot || chunk.index < next_ ||
      chunk.index >= std::min(next_ + kSnapshotPullWindow, ChunkCount()) ||
      chunk.data.size() != ChunkBytes(chunk.index)) {
    return;
  }
  early_.emplace(chunk.index, chunk.data);
  for (auto it = early_.find(next_); it != early_.end(); it = early_.find(next_)) {
    blob_ += it->second;
    early_.erase(it);
    ++next_;
  }
}

std::vector<uint64_t> SnapshotPull::Requests(bool retransmit) {
  std::vector<uint64_t> out;
  const uint64_t end = std::min(next_ + kSnapshotPullWindow, ChunkCount());
  for (uint64_t index = next_; index < end; ++index) {
    if ((retransmit || index >= requested_end_) && !early_.count(index)) out.push_back(index);
  }
  requested_end_ = std::max(requested_end_, end);
  return out;
}

bool SnapshotPull::StillHopeful() {
  stalls_ = next_ > progress_mark_ ? 0 : stalls_ + 1;
  progress_mark_ = next_;
  return stalls_ < kSnapshotPullStallsMax;
}

std::string SnapshotPull::TakeBlob() {
  PIFLEET_ASSERT(complete());
  std::string blob = std::move(blob_);
  Reset();
  return blob;
}

}  // namespace pifleet::core
