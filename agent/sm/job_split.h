// The split of a job's items (weighted factoring, Hummel et al. 1996, with the adaptive
// correction of Cariño & Banicescu; notes/services-and-jobs.md §1), in integers only so that
// every replica computes the same chunks. A worker's weight is its estimated items per second:
// its capacity now (members table, hal/capacity) times its measured rate per capacity unit (from
// the durations its results reported). A worker not measured yet takes the mean of those that
// were; with none measured, capacities alone decide. A Pi that heats up or loses quota has a
// lower capacity at its next claim, so its next chunk shrinks before a slow result shows it.
#pragma once

#include <cstdint>
#include <vector>

namespace pifleet::sm {

// Each batch hands out 1/kSplitFactor of the items left, shared by weight (factoring's 2).
inline constexpr uint64_t kSplitFactor = 2;
// A member without a published capacity counts as one core of this capacity (x1000).
inline constexpr uint64_t kDefaultCapacityMilli = 1000;
inline constexpr uint64_t kCapacityMilliMax = 1'000'000'000;
inline constexpr uint64_t kRatePerCapacityMax = 1'000'000'000'000'000;

struct SplitWorker {
  uint64_t node = 0;
  uint64_t capacity_milli = 0;     // 0: unknown
  uint64_t rate_per_capacity = 0;  // 0: not measured yet
};

// The measured rate per capacity unit of `items` done in `duration_ms` at `capacity_milli`:
// items/s per capacity unit, x 1e6 (bounded by kRatePerCapacityMax).
uint64_t RatePerCapacity(uint64_t items, uint64_t duration_ms, uint64_t capacity_milli);
// Each worker's weight (in the order given), its estimated speed.
std::vector<unsigned __int128> SplitWeights(const std::vector<SplitWorker>& workers);
// The chunk for a worker of `weight` out of `weight_sum` with `remaining` items left:
// ceil(remaining x weight / (kSplitFactor x weight_sum)), at least chunk_min, never more than
// remaining, and all of it when less than chunk_min would be left behind.
uint64_t ChunkSize(uint64_t remaining, unsigned __int128 weight, unsigned __int128 weight_sum,
                   uint64_t chunk_min);
// The expected duration (ms) of `items` on a worker of `weight` (only meaningful once some
// worker of the job was measured: weights are then items/s x 1e9).
uint64_t ExpectedMs(uint64_t items, unsigned __int128 weight);

}  // namespace pifleet::sm
