// Lowe's memoisation for the search of one key, extended for pending operations.
//
// A configuration is (completed ops linearized C, pending ops linearized P, register value x).
// A pending op constrains nothing that comes after it and may also never take effect, so any
// continuation that completes the history from (C, P, x) also completes it from (C, P', x)
// for every P' that is a subset of P. A configuration is therefore redundant not only when
// it was seen before (Lowe) but also when one with the same C and x and a subset of its P was.
// Without this, each pending operation doubles the states a failing search must visit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "tests/sim/lin/wgl_search.h"

namespace pifleet::lin::internal {

// A set of op slots with a hash kept up to date on every flip (Zobrist hashing). Completed
// ops are numbered in call order, so their linearized set is mostly a run of ones followed by
// a few bits near the search's front; the cache stores only the words after the run, which
// keeps it linear rather than quadratic in the history's length.
class SlotSet {
 public:
  explicit SlotSet(size_t slots) : words_((slots + 63) / 64, 0) {}
  void Flip(size_t slot);
  bool Contains(size_t slot) const { return (words_[slot / 64] >> (slot % 64)) & 1; }
  uint64_t hash() const { return hash_; }
  // full_words() leading words are all ones; Tail() is the rest up to the last nonzero word.
  // Together they are a canonical, compact form of the set.
  size_t full_words() const { return full_words_; }
  std::vector<uint64_t> Tail() const;
  const std::vector<uint64_t>& words() const { return words_; }

 private:
  static constexpr uint64_t kAllOnes = ~uint64_t{0};
  std::vector<uint64_t> words_;
  uint64_t hash_ = 0;
  size_t full_words_ = 0;  // words_[0, full_words_) are all ones
  size_t end_words_ = 0;   // words_[end_words_, size) are all zero
};

class SearchCache {
 public:
  // Returns true if (completed, pending, state) is new and not redundant, and remembers it.
  bool Insert(const SlotSet& completed, const SlotSet& pending, ValueId state);
  bool full() const { return bytes_ > kCacheBytesMax; }

 private:
  struct Key {
    size_t full_words;
    std::vector<uint64_t> tail;
    ValueId state;
    uint64_t hash;
    bool operator==(const Key& other) const {
      return hash == other.hash && state == other.state && full_words == other.full_words &&
             tail == other.tail;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& key) const { return static_cast<size_t>(key.hash); }
  };
  static constexpr size_t kNodeBytes = 64;  // hash-table node, bucket and vector, roughly

  size_t bytes_ = 0;
  // For each (C, x): the pending sets P seen with it.
  std::unordered_map<Key, std::vector<std::vector<uint64_t>>, KeyHash> seen_;
};

}  // namespace pifleet::lin::internal
