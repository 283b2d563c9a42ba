#include "tests/sim/lin/search_cache.h"

#include <algorithm>
#include <utility>

namespace pifleet::lin::internal {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool IsSubset(const std::vector<uint64_t>& small, const std::vector<uint64_t>& big) {
  for (size_t w = 0; w < small.size(); ++w) {
    if ((small[w] & ~big[w]) != 0) return false;
  }
  return true;
}

}  // namespace

void SlotSet::Flip(size_t slot) {
  const size_t w = slot / 64;
  words_[w] ^= uint64_t{1} << (slot % 64);
  hash_ ^= SplitMix64(slot);
  if (words_[w] != kAllOnes && w < full_words_) full_words_ = w;
  while (full_words_ < words_.size() && words_[full_words_] == kAllOnes) ++full_words_;
  if (words_[w] != 0 && w >= end_words_) end_words_ = w + 1;
  while (end_words_ > 0 && words_[end_words_ - 1] == 0) --end_words_;
}

std::vector<uint64_t> SlotSet::Tail() const {
  const size_t end = std::max(end_words_, full_words_);
  return std::vector<uint64_t>(words_.begin() + static_cast<std::ptrdiff_t>(full_words_),
                               words_.begin() + static_cast<std::ptrdiff_t>(end));
}

bool SearchCache::Insert(const SlotSet& completed, const SlotSet& pending, ValueId state) {
  const uint64_t hash = completed.hash() ^ SplitMix64(~static_cast<uint64_t>(state));
  Key key{completed.full_words(), completed.Tail(), state, hash};
  const size_t key_bytes = key.tail.size() * sizeof(uint64_t) + sizeof(Key) + kNodeBytes;
  auto [it, inserted] = seen_.try_emplace(std::move(key));
  if (inserted) bytes_ += key_bytes;
  std::vector<std::vector<uint64_t>>& seen_pending = it->second;
  for (const std::vector<uint64_t>& p : seen_pending) {
    if (IsSubset(p, pending.words())) return false;
  }
  // Keep the list an antichain: sets that contain the new one are redundant from now on.
  std::erase_if(seen_pending,
                [&](const std::vector<uint64_t>& p) { return IsSubset(pending.words(), p); });
  seen_pending.push_back(pending.words());
  bytes_ += pending.words().size() * sizeof(uint64_t) + sizeof(std::vector<uint64_t>);
  return true;
}

}  // namespace pifleet::lin::internal
