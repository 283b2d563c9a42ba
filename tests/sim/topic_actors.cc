#include "tests/sim/topic_actors.h"

#include <algorithm>
#include <sstream>

#include "agent/sm/topic_groups.h"
#include "agent/sm/topic_keys.h"
#include "agent/sm/topics.h"

namespace pifleet::sim {
namespace {

constexpr int64_t kUsPerMs = 1000;
constexpr int64_t kUsPerTick = 10'000;  // the InternalSession counts resends in 10 ms ticks
constexpr int64_t kResendUs = 250'000;
constexpr int64_t kPublishGapUs = 20'000;
constexpr uint64_t kRetainCount = 40;
constexpr uint64_t kAckWaitMs = 300;
constexpr uint64_t kMaxDeliveries = 3;
constexpr uint32_t kMembers = 2;
constexpr uint32_t kCrashPerMillion = 60'000;  // of processing rounds, before the heal
constexpr uint32_t kFailPerMillion = 70'000;
constexpr uint32_t kReleasePerMillion = 50'000;
const char* const kTopic = "t";
const char* const kGroup = "g";

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// The offsets of the result's tokens with this prefix ("d:" gives offset and attempt).
std::vector<std::pair<uint64_t, uint64_t>> Tokens(const std::string& text, const std::string& tag) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const std::string& word : Words(text)) {
    if (!word.starts_with(tag)) continue;
    const std::string rest = word.substr(tag.size());
    const size_t colon = rest.find(':');
    out.emplace_back(std::stoull(rest.substr(0, colon)),
                     colon == std::string::npos ? 0 : std::stoull(rest.substr(colon + 1)));
  }
  return out;
}

std::string MemberName(uint32_t index, uint32_t incarnation) {
  return "m" + std::to_string(index) + "." + std::to_string(incarnation);
}

}  // namespace

TopicActors::TopicActors(bool ack_before_process_canary) : canary_(ack_before_process_canary) {
  for (uint32_t i = 0; i <= kMembers; ++i) actors_.emplace_back(kTopicActorNonce + i);
  for (uint32_t i = 1; i <= kMembers; ++i) actors_[i].name = MemberName(i, 0);
}

std::optional<core::Command> TopicActors::Propose(Actor& actor, int64_t now_us) {
  std::optional<core::Command> command = actor.session.Due(
      static_cast<uint64_t>(now_us / kUsPerTick), static_cast<uint64_t>(now_us / kUsPerMs));
  if (!command && actor.outstanding && now_us >= actor.proposed_us + kResendUs) {
    command = actor.outstanding;
  }
  if (command) {
    actor.outstanding = command;
    actor.proposed_us = now_us;
  }
  return command;
}

std::vector<core::Command> TopicActors::Due(int64_t now_us, bool healed, core::Rng& rng) {
  Actor& publisher = actors_[0];
  const bool idle = publisher.session.queued() == 0 && !publisher.outstanding;
  if (!created_) {
    created_ = true;
    sm::TopicCommand create;
    create.kind = sm::TopicCommandKind::kCreate;
    create.topic = kTopic;
    create.retain_count = kRetainCount;
    publisher.session.Enqueue(sm::EncodeTopicCommand(create));
  } else if (idle && healed) {
    publishing_done_ = true;
  } else if (idle && !healed && now_us >= publisher.wake_us) {
    sm::TopicCommand publish;
    publish.topic = kTopic;
    publish.type = "X";
    publish.published_by = "sim";
    publish.data = "{\"p\":" + std::to_string(next_publish_++) + "}";
    publisher.session.Enqueue(sm::EncodeTopicCommand(publish));
  }
  for (uint32_t i = 1; i < actors_.size(); ++i) MemberDue(actors_[i], now_us, healed, rng);
  std::vector<core::Command> out;
  for (Actor& actor : actors_) {
    if (auto command = Propose(actor, now_us)) out.push_back(std::move(*command));
  }
  return out;
}

void TopicActors::MemberDue(Actor& member, int64_t now_us, bool healed, core::Rng& rng) {
  if (now_us < member.wake_us) return;
  if (member.phase == Phase::kIdle && member.session.queued() == 0) {
    sm::GroupCommand claim;
    claim.topic = kTopic;
    claim.group = kGroup;
    claim.member = member.name;
    claim.now_ms = static_cast<uint64_t>(now_us / kUsPerMs);
    claim.max = 2;
    claim.ack_wait_ms = kAckWaitMs;
    claim.max_deliveries = kMaxDeliveries;
    member.session.Enqueue(sm::EncodeGroupCommand(claim));
    member.phase = Phase::kWaiting;
    return;
  }
  if (member.phase != Phase::kProcessing) return;
  if (!healed && rng.Chance(kCrashPerMillion)) {  // dies mid-way: its deliveries must come back
    member.held.clear();
    member.name = MemberName(static_cast<uint32_t>(&member - &actors_[0]), ++member.incarnation);
    member.phase = Phase::kIdle;
    member.wake_us = now_us + 50 * kUsPerMs;
    return;
  }
  Process(member);
  if (canary_) {  // acknowledged already, when claimed
    member.held.clear();
    member.phase = Phase::kIdle;
    return;
  }
  sm::GroupCommand ack;
  ack.claim = false;
  ack.topic = kTopic;
  ack.group = kGroup;
  ack.member = member.name;
  ack.now_ms = static_cast<uint64_t>(now_us / kUsPerMs);
  for (const auto& [offset, attempt] : member.held) {
    sm::GroupOutcome outcome = sm::GroupOutcome::kAck;
    if (rng.Chance(kFailPerMillion)) {
      outcome = sm::GroupOutcome::kFail;
      ack.reason = "simulated failure";
    } else if (rng.Chance(kReleasePerMillion)) {
      outcome = sm::GroupOutcome::kRelease;
    }
    ack.acks.push_back({offset, attempt, outcome});
  }
  member.held.clear();
  member.session.Enqueue(sm::EncodeGroupCommand(ack));
  member.phase = Phase::kWaiting;
}

void TopicActors::Process(Actor& member) {
  for (const auto& [offset, attempt] : member.held)
    processed_.insert({member.name, offset, attempt});
}

std::string TopicActors::OnApplied(const core::Command& command, const sm::KvResult& result,
                                   int64_t now_us, core::Rng& rng) {
  std::string violation;
  if (result.ok && result.outcome != sm::KvResult::Outcome::kRefused) {
    if (const auto publish = sm::DecodeTopicCommand(command.payload);
        publish && publish->kind == sm::TopicCommandKind::kPublish && publish->topic == kTopic &&
        publish->data.starts_with("{\"p\":")) {
      violation = OnPublished(result, std::stoull(publish->data.substr(5)));
    } else if (sm::IsGroupCommand(command.payload)) {
      violation = OnAck(command.payload, result);
    }
  }
  for (Actor& actor : actors_) {
    const bool mine = actor.outstanding && actor.outstanding->client_id == command.client_id &&
                      actor.outstanding->sequence == command.sequence;
    if (!mine) continue;
    actor.outstanding.reset();
    actor.session.OnApplied(command, result);
    if (result.outcome == sm::KvResult::Outcome::kRefused || result.session != 0) break;
    if (&actor == &actors_[0]) {
      actor.wake_us = now_us + kPublishGapUs;
    } else {
      OnMemberResult(actor, command.payload, result, now_us, rng);
    }
    break;
  }
  return violation;
}

std::string TopicActors::OnPublished(const sm::KvResult& result, uint64_t seq) {
  const uint64_t offset = std::stoull(result.output);
  const auto [known, fresh] = offset_of_.try_emplace(seq, offset);
  if (known->second != offset) {
    return "topic: object " + std::to_string(seq) + " got offsets " +
           std::to_string(known->second) + " and " + std::to_string(offset);
  }
  const auto [at, new_offset] = object_at_.try_emplace(offset, seq);
  if (at->second != seq) {
    return "topic: offset " + std::to_string(offset) + " holds objects " +
           std::to_string(at->second) + " and " + std::to_string(seq);
  }
  if (fresh && seq > 0 && offset_of_.contains(seq - 1) && offset_of_[seq - 1] >= offset) {
    return "topic: object " + std::to_string(seq) + " got offset " + std::to_string(offset) +
           ", not after its predecessor's " + std::to_string(offset_of_[seq - 1]);
  }
  (void)new_offset;
  return "";
}

std::string TopicActors::OnAck(const std::string& payload, const sm::KvResult& result) {
  const std::optional<sm::GroupCommand> ack = sm::DecodeGroupCommand(payload);
  if (!ack || ack->claim) return "";
  std::set<uint64_t> stale;
  for (const auto& [offset, unused] : Tokens(result.output, "s:")) stale.insert(offset);
  for (const sm::GroupAck& entry : ack->acks) {
    if (entry.outcome != sm::GroupOutcome::kAck || stale.contains(entry.offset)) continue;
    const std::pair<std::string, uint64_t> by{ack->member, entry.attempt};
    const auto [first, fresh] = acked_by_.try_emplace(entry.offset, by);
    if (first->second != by) {
      return "group: offset " + std::to_string(entry.offset) + " acknowledged by " +
             first->second.first + " (attempt " + std::to_string(first->second.second) +
             ") and by " + by.first + " (attempt " + std::to_string(by.second) + ")";
    }
    if (!processed_.contains({ack->member, entry.offset, entry.attempt})) {
      return "group: offset " + std::to_string(entry.offset) + " acknowledged by " + ack->member +
             " before it processed it";
    }
    (void)fresh;
  }
  return "";
}

void TopicActors::OnMemberResult(Actor& member, const std::string& payload,
                                 const sm::KvResult& result, int64_t now_us, core::Rng& rng) {
  const std::optional<sm::GroupCommand> command = sm::DecodeGroupCommand(payload);
  if (!command || command->member != member.name) return;  // sent before a crash: forgotten
  if (!command->claim) {
    if (!canary_) {
      member.phase = Phase::kIdle;
      member.wake_us = now_us + static_cast<int64_t>(rng.Between(0, 20)) * kUsPerMs;
    }
    return;
  }
  member.held = result.ok ? Tokens(result.output, "d:") : decltype(member.held){};
  if (member.held.empty()) {
    member.phase = Phase::kIdle;
    member.wake_us = now_us + static_cast<int64_t>(rng.Between(20, 60)) * kUsPerMs;
    return;
  }
  member.phase = Phase::kProcessing;
  member.wake_us = now_us + static_cast<int64_t>(rng.Between(0, 100)) * kUsPerMs;
  if (canary_) {  // the canary: an auto-ack consumer acknowledges what it has not processed yet
    sm::GroupCommand ack;
    ack.claim = false;
    ack.topic = kTopic;
    ack.group = kGroup;
    ack.member = member.name;
    ack.now_ms = command->now_ms;
    for (const auto& [offset, attempt] : member.held) {
      ack.acks.push_back({offset, attempt, sm::GroupOutcome::kAck});
    }
    member.session.Enqueue(sm::EncodeGroupCommand(ack));
  }
}

bool TopicActors::Done(const sm::KvStore& kv) const {
  if (!publishing_done_) return false;
  const auto meta_value = kv.Find(sm::TopicMetaKey(kTopic));
  const auto group_value = kv.Find(sm::GroupKey(kTopic, kGroup));
  if (!meta_value) return next_publish_ == 0;
  if (!group_value) return false;
  const auto meta = sm::DecodeTopicMeta(*meta_value);
  const auto group = sm::DecodeGroupState(*group_value);
  return meta && group && group->pending.empty() && group->next_offset == meta->next_offset &&
         offset_of_.size() == next_publish_;
}

std::string TopicActors::CheckEnd() const {
  uint64_t expected = 0;
  for (const auto& [offset, seq] : object_at_) {
    if (offset != expected) return "topic: offset " + std::to_string(expected) + " was skipped";
    ++expected;
  }
  return "";
}

}  // namespace pifleet::sim
