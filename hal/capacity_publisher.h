// Decides when capacity goes to the members table: the first value always, then only when it
// moved by more than kCapacityPublishFraction of the last published value, and never sooner
// than kCapacityPublishIntervalMinMs after the previous publish. Time is passed in (ms).
#pragma once

#include <cstdint>
#include <functional>

namespace pifleet::hal {

class CapacityPublisher {
 public:
  using Publish = std::function<void(double capacity_mops)>;

  CapacityPublisher(Publish publish, double fraction, uint64_t interval_min_ms);
  explicit CapacityPublisher(Publish publish);

  // Returns true when `capacity_mops` was published.
  bool Offer(uint64_t now_ms, double capacity_mops);

  bool has_published() const { return has_published_; }
  double last_published_mops() const { return last_mops_; }

 private:
  Publish publish_;
  double fraction_;
  uint64_t interval_min_ms_;
  bool has_published_ = false;
  double last_mops_ = 0.0;
  uint64_t last_ms_ = 0;
};

}  // namespace pifleet::hal
