#include "hal/capacity_publisher.h"

#include <cmath>
#include <utility>

#include "agent/base/assert.h"
#include "hal/constants.h"

namespace pifleet::hal {

CapacityPublisher::CapacityPublisher(Publish publish, double fraction, uint64_t interval_min_ms)
    : publish_(std::move(publish)), fraction_(fraction), interval_min_ms_(interval_min_ms) {
  PIFLEET_ASSERT(publish_ != nullptr);
  PIFLEET_ASSERT(fraction_ > 0.0 && fraction_ < 1.0);
}

CapacityPublisher::CapacityPublisher(Publish publish)
    : CapacityPublisher(std::move(publish), kCapacityPublishFraction,
                        kCapacityPublishIntervalMinMs) {}

bool CapacityPublisher::Offer(uint64_t now_ms, double capacity_mops) {
  PIFLEET_ASSERT(capacity_mops >= 0.0);
  if (has_published_) {
    PIFLEET_ASSERT_MSG(now_ms >= last_ms_, "time went backwards");
    if (now_ms - last_ms_ < interval_min_ms_) return false;
    if (std::fabs(capacity_mops - last_mops_) <= fraction_ * last_mops_) return false;
  }
  has_published_ = true;
  last_mops_ = capacity_mops;
  last_ms_ = now_ms;
  publish_(capacity_mops);
  return true;
}

}  // namespace pifleet::hal
