#include "agent/sm/job_split.h"

#include <algorithm>

namespace pifleet::sm {
namespace {

using u128 = unsigned __int128;
constexpr u128 kMillion = 1'000'000;

uint64_t Clamp(u128 v, uint64_t max) { return v > max ? max : static_cast<uint64_t>(v); }

}  // namespace

uint64_t RatePerCapacity(uint64_t items, uint64_t duration_ms, uint64_t capacity_milli) {
  const u128 cap = std::clamp<uint64_t>(capacity_milli ? capacity_milli : kDefaultCapacityMilli, 1,
                                        kCapacityMilliMax);
  // items/s = items * 1000 / ms; per capacity unit: * 1000 / cap_milli; x 1e6.
  const u128 denominator = u128{std::max<uint64_t>(duration_ms, 1)} * cap;
  const u128 numerator = u128{items} * 1000 * 1000;
  return std::max<uint64_t>(1, Clamp(numerator * kMillion / denominator, kRatePerCapacityMax));
}

std::vector<u128> SplitWeights(const std::vector<SplitWorker>& workers) {
  u128 rate_sum = 0;
  uint64_t measured = 0;
  for (const SplitWorker& w : workers) {
    if (w.rate_per_capacity == 0) continue;
    rate_sum += std::min(w.rate_per_capacity, kRatePerCapacityMax);
    ++measured;
  }
  // Unmeasured workers take the mean; with nobody measured the rate is a common constant.
  const u128 fallback = measured ? rate_sum / measured : kMillion;
  std::vector<u128> weights;
  weights.reserve(workers.size());
  for (const SplitWorker& w : workers) {
    const u128 cap = std::clamp<uint64_t>(
        w.capacity_milli ? w.capacity_milli : kDefaultCapacityMilli, 1, kCapacityMilliMax);
    const u128 rate =
        w.rate_per_capacity ? std::min(w.rate_per_capacity, kRatePerCapacityMax) : fallback;
    weights.push_back(std::max<u128>(1, cap * rate));
  }
  return weights;
}

uint64_t ChunkSize(uint64_t remaining, u128 weight, u128 weight_sum, uint64_t chunk_min) {
  if (remaining == 0) return 0;
  weight_sum = std::max(weight_sum, weight);
  const u128 share_ppm = std::max<u128>(1, weight * kMillion / std::max<u128>(weight_sum, 1));
  const u128 denominator = kSplitFactor * kMillion;
  const u128 size = (u128{remaining} * share_ppm + denominator - 1) / denominator;
  uint64_t chunk = std::max<uint64_t>(Clamp(size, remaining), chunk_min);
  if (chunk >= remaining || remaining - chunk < chunk_min) chunk = remaining;
  return chunk;
}

uint64_t ExpectedMs(uint64_t items, u128 weight) {
  // weight = cap_milli * items/s per capacity unit x 1e6 = items/s x 1e9.
  const u128 ms = u128{items} * 1000 * 1'000'000'000 / std::max<u128>(weight, 1);
  return Clamp(ms, UINT64_MAX / 4);
}

}  // namespace pifleet::sm
