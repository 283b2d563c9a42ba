#include "tests/sim/job_actors.h"

namespace pifleet::sim {
namespace {

constexpr int64_t kUsPerMs = 1000;
constexpr int64_t kUsPerTick = 10'000;  // the InternalSession counts resends in 10 ms ticks
constexpr int64_t kResendUs = 250'000;
constexpr uint32_t kPausePerMillion = 200'000;  // of the seeds with jobs and crashes
constexpr uint32_t kJobSeedsPerMillion = 500'000;

}  // namespace

JobActors::JobActors(uint64_t seed, uint32_t nodes, bool pauses)
    : rng_(seed * 0x2545f4914f6cdd1dULL + 7) {
  on_ = rng_.Chance(kJobSeedsPerMillion);
  for (uint32_t i = 0; i < nodes; ++i) items_per_s_.push_back(rng_.Between(100, 400));
  if (pauses && rng_.Chance(kPausePerMillion)) {
    pause_at_us_ = static_cast<int64_t>(rng_.Between(150, 700)) * kUsPerMs;
    pause_us_ = static_cast<int64_t>(rng_.Between(6200, 7200)) * kUsPerMs;
  }
  const size_t jobs = rng_.Chance(300000) ? 2 : 1;
  for (size_t i = 0; i < jobs; ++i) {
    Planned planned;
    sm::JobSpec& spec = planned.spec;
    spec.name = "j" + std::to_string(i);
    spec.first = rng_.Between(0, 1000);
    spec.end = spec.first + rng_.Between(150, 900);
    spec.chunk_min = rng_.Between(8, 40);
    spec.timeout_s = 1;
    spec.retries = static_cast<uint32_t>(rng_.Between(0, 3));
    spec.workload = sm::Workload::kSha256;
    planned.submit_us = i == 0 ? 0 : static_cast<int64_t>(rng_.Between(200, 1200)) * kUsPerMs;
    planned.fail_per_million =
        rng_.Chance(400000) ? static_cast<uint32_t>(rng_.Between(10000, 50000)) : 0;
    specs_.push_back(std::move(planned));
  }
}

std::optional<core::Command> JobActors::Due(int64_t now_us) {
  if (next_ < specs_.size() && !outstanding_ && session_.queued() == 0 &&
      now_us >= specs_[next_].submit_us) {
    sm::JobCommand submit =
        sm::MakeJobCommand(sm::JobKind::kSubmit, static_cast<uint64_t>(now_us / kUsPerMs));
    submit.spec = specs_[next_].spec;
    session_.Enqueue(sm::EncodeJobCommand(submit));
  }
  std::optional<core::Command> command = session_.Due(static_cast<uint64_t>(now_us / kUsPerTick),
                                                      static_cast<uint64_t>(now_us / kUsPerMs));
  if (!command && outstanding_ && now_us >= proposed_us_ + kResendUs) command = outstanding_;
  if (command) {
    outstanding_ = command;
    proposed_us_ = now_us;
  }
  return command;
}

void JobActors::OnApplied(const core::Command& command, const sm::KvResult& result) {
  const bool mine = outstanding_ && outstanding_->client_id == command.client_id &&
                    outstanding_->sequence == command.sequence;
  if (!mine) return;
  outstanding_.reset();
  session_.OnApplied(command, result);
  if (result.outcome == sm::KvResult::Outcome::kRefused || result.session != 0) return;
  ++next_;  // submitted (or refused by the job table: it says why, on every replica alike)
}

int64_t JobActors::RunUs(uint32_t node, uint64_t items) {
  const uint64_t us = items * 1'000'000 / items_per_s_[node % items_per_s_.size()];
  return static_cast<int64_t>(us * rng_.Between(90, 110) / 100) + 1000;
}

bool JobActors::RunFails(const std::string& job) {
  for (const Planned& planned : specs_) {
    if (planned.spec.name == job) return rng_.Chance(planned.fail_per_million);
  }
  return false;
}

}  // namespace pifleet::sim
