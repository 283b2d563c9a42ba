#include "agent/core/message.h"

namespace pifleet::core {

const char* MessageName(const Message& message) {
  static constexpr const char* kNames[] = {"Prepare",
                                           "Promise",
                                           "Accept",
                                           "Accepted",
                                           "Decision",
                                           "Active",
                                           "Request",
                                           "CatchupRequest",
                                           "CatchupReply",
                                           "SnapshotOffer",
                                           "SnapshotChunkRequest",
                                           "SnapshotChunk",
                                           "LeaseGrant"};
  static_assert(std::size(kNames) == std::variant_size_v<Message>);
  return kNames[message.index()];
}

}  // namespace pifleet::core
