#include "agent/wire/fragments.h"

#include <algorithm>

#include "agent/base/assert.h"
#include "agent/base/bytes.h"

namespace pifleet::wire {
namespace {

constexpr uint8_t kKindWhole = 0;
constexpr uint8_t kKindFragment = 1;

}  // namespace

Status Fragment(std::span<const uint8_t> message, uint32_t message_id, size_t plaintext_bytes_max,
                std::vector<std::vector<uint8_t>>* plaintexts) {
  PIFLEET_ASSERT(plaintext_bytes_max > kFragmentHeaderBytes);
  plaintexts->clear();
  if (message.size() > kMessageBytesMax) {
    return Status::InvalidArgument("message of " + std::to_string(message.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(kMessageBytesMax));
  }
  if (1 + message.size() <= plaintext_bytes_max) {
    std::vector<uint8_t> whole;
    whole.reserve(1 + message.size());
    whole.push_back(kKindWhole);
    whole.insert(whole.end(), message.begin(), message.end());
    plaintexts->push_back(std::move(whole));
    return Status::Ok();
  }
  const size_t chunk_bytes = plaintext_bytes_max - kFragmentHeaderBytes;
  const size_t count = (message.size() + chunk_bytes - 1) / chunk_bytes;
  if (count > kFragmentsPerMessageMax) {
    return Status::InvalidArgument("message of " + std::to_string(message.size()) +
                                   " bytes needs more than " +
                                   std::to_string(kFragmentsPerMessageMax) + " fragments");
  }
  for (size_t index = 0; index < count; ++index) {
    const auto chunk = message.subspan(index * chunk_bytes,
                                       std::min(chunk_bytes, message.size() - index * chunk_bytes));
    std::vector<uint8_t> plaintext(kFragmentHeaderBytes);
    plaintext.reserve(kFragmentHeaderBytes + chunk.size());
    uint8_t* p = plaintext.data();
    *p++ = kKindFragment;
    StoreFixed(p, message_id);
    StoreFixed(p, static_cast<uint16_t>(index));
    StoreFixed(p, static_cast<uint16_t>(count));
    PIFLEET_ASSERT(p == plaintext.data() + kFragmentHeaderBytes);
    plaintext.insert(plaintext.end(), chunk.begin(), chunk.end());
    plaintexts->push_back(std::move(plaintext));
  }
  return Status::Ok();
}

Reassembler::Result Reassembler::Add(uint64_t sender, std::span<const uint8_t> plaintext,
                                     uint64_t now_ticks, std::vector<uint8_t>* message,
                                     DropReason* reason) {
  if (plaintext.empty()) {
    *reason = DropReason::kBadFragment;
    return Result::kDropped;
  }
  if (plaintext[0] == kKindWhole) {
    message->assign(plaintext.begin() + 1, plaintext.end());
    return Result::kComplete;
  }
  if (plaintext[0] != kKindFragment || plaintext.size() <= kFragmentHeaderBytes) {
    *reason = DropReason::kBadFragment;
    return Result::kDropped;
  }
  const uint8_t* p = plaintext.data() + 1;
  const uint32_t message_id = LoadFixed<uint32_t>(p);
  const uint16_t index = LoadFixed<uint16_t>(p);
  const uint16_t count = LoadFixed<uint16_t>(p);
  if (count < 2 || count > kFragmentsPerMessageMax || index >= count) {
    *reason = DropReason::kBadFragment;
    return Result::kDropped;
  }
  const PartialId id{sender, message_id};
  auto it = partials_.find(id);
  if (it == partials_.end()) {
    if (partials_.size() >= kReassembliesMax) EvictOldest();
    Partial partial;
    partial.count = count;
    partial.started_ticks = now_ticks;
    partial.chunks.resize(count);
    it = partials_.emplace(id, std::move(partial)).first;
  }
  Partial& partial = it->second;
  if (partial.count != count) {
    *reason = DropReason::kBadFragment;
    return Result::kDropped;
  }
  if (partial.chunks[index].empty()) {
    const size_t chunk_bytes = plaintext.size() - kFragmentHeaderBytes;
    if (partial.bytes + chunk_bytes > kMessageBytesMax) {  // bounded memory per sender
      partials_.erase(it);
      *reason = DropReason::kBadFragment;
      return Result::kDropped;
    }
    partial.chunks[index].assign(plaintext.begin() + kFragmentHeaderBytes, plaintext.end());
    partial.bytes += chunk_bytes;
    ++partial.received;
  }
  if (partial.received < partial.count) return Result::kPending;
  message->clear();
  for (const auto& chunk : partial.chunks)
    message->insert(message->end(), chunk.begin(), chunk.end());
  partials_.erase(it);
  return Result::kComplete;
}

size_t Reassembler::Expire(uint64_t now_ticks) {
  size_t expired = 0;
  for (auto it = partials_.begin(); it != partials_.end();) {
    if (now_ticks - it->second.started_ticks >= kReassemblyTimeoutTicks) {
      it = partials_.erase(it);
      ++expired;
      ++evicted_count_;
    } else {
      ++it;
    }
  }
  return expired;
}

void Reassembler::EvictOldest() {
  auto oldest = std::min_element(
      partials_.begin(), partials_.end(),
      [](const auto& a, const auto& b) { return a.second.started_ticks < b.second.started_ticks; });
  if (oldest == partials_.end()) return;
  partials_.erase(oldest);
  ++evicted_count_;
}

}  // namespace pifleet::wire
