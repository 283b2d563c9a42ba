// The receiving side of a snapshot transfer: which chunks of the offered blob to ask for next
// (up to kSnapshotPullWindow ahead), the chunks that arrived early, and the blob assembled in
// order. Pure bookkeeping; the Replica sends the requests and installs the result.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agent/core/message.h"

namespace pifleet::core {

class SnapshotPull {
 public:
  void Start(NodeId source, const SnapshotOffer& offer);
  void Reset() { *this = SnapshotPull(); }
  bool active() const { return source_ != 0; }
  NodeId source() const { return source_; }
  const SnapshotOffer& offer() const { return offer_; }
  bool complete() const { return active() && next_ == ChunkCount(); }

  // Takes a chunk of the offered snapshot; a wrong size or index is ignored.
  void OnChunk(const SnapshotChunk& chunk);
  // Chunk indices to request now: new ones entering the window, or (retransmit) every missing
  // one in the window.
  std::vector<uint64_t> Requests(bool retransmit);
  // One retransmit period passed; false once the source has made no progress for too long.
  bool StillHopeful();
  std::string TakeBlob();

 private:
  uint64_t ChunkCount() const;
  uint64_t ChunkBytes(uint64_t index) const;

  NodeId source_ = 0;
  SnapshotOffer offer_;
  std::string blob_;
  uint64_t next_ = 0;           // next chunk to append to blob_
  uint64_t requested_end_ = 0;  // chunks below this were requested at least once
  std::map<uint64_t, std::string> early_;
  uint32_t stalls_ = 0;
  uint64_t progress_mark_ = 0;
};

}  // namespace pifleet::core
