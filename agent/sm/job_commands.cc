#include "agent/sm/job_commands.h"

#include "agent/base/bytes.h"

namespace pifleet::sm {
namespace {

void EncodeSpec(ByteWriter& w, const JobSpec& spec) {
  w.Str(spec.name);
  w.U64(spec.first);
  w.U64(spec.end);
  w.U64(spec.chunk_min);
  w.U64(spec.timeout_s);
  w.U64(spec.retries);
  w.U8(static_cast<uint8_t>(spec.workload));
  w.U64(spec.rounds);
  w.U64(spec.argv.size());
  for (const std::string& arg : spec.argv) w.Str(arg);
}

bool DecodeSpec(ByteReader& r, JobSpec* spec) {
  spec->name = r.Str(kJobNameBytesMax);
  spec->first = r.U64();
  spec->end = r.U64();
  spec->chunk_min = r.U64();
  spec->timeout_s = r.U64();
  const uint64_t retries = r.U64();
  const uint8_t workload = r.U8();
  spec->rounds = r.U64();
  const uint64_t args = r.Count(8);
  if (!r.ok || args > kJobArgsMax || retries > kJobRetriesMax || workload > 1) return false;
  spec->retries = static_cast<uint32_t>(retries);
  spec->workload = static_cast<Workload>(workload);
  spec->argv.clear();
  for (uint64_t i = 0; i < args && r.ok; ++i) spec->argv.push_back(r.Str(kJobArgvBytesMax));
  return r.ok && CheckJobSpec(*spec).empty();
}

}  // namespace

std::string CheckJobSpec(const JobSpec& spec) {
  if (spec.name.empty() || spec.name.size() > kJobNameBytesMax) {
    return "a job name has 1 to " + std::to_string(kJobNameBytesMax) + " bytes";
  }
  if (spec.first >= spec.end) return "a job needs at least one item";
  if (spec.chunk_min == 0) return "--chunk-min must be at least 1";
  if (spec.timeout_s == 0 || spec.timeout_s > kJobTimeoutSMax) {
    return "--timeout-s must be 1 to " + std::to_string(kJobTimeoutSMax);
  }
  if (spec.retries > kJobRetriesMax)
    return "--retries is at most " + std::to_string(kJobRetriesMax);
  size_t argv_bytes = 0;
  for (const std::string& arg : spec.argv) argv_bytes += arg.size();
  if (spec.workload == Workload::kCommand) {
    if (spec.argv.empty() || spec.argv[0].empty()) return "a command job needs a command";
    if (spec.argv.size() > kJobArgsMax || argv_bytes > kJobArgvBytesMax) {
      return "a command has at most " + std::to_string(kJobArgsMax) + " arguments of " +
             std::to_string(kJobArgvBytesMax) + " bytes together";
    }
  } else {
    if (!spec.argv.empty()) return "a builtin job has no command";
    if (spec.rounds == 0 || spec.rounds > kJobRoundsMax) {
      return "--rounds must be 1 to " + std::to_string(kJobRoundsMax);
    }
  }
  return "";
}

bool IsJobCommand(const std::string& payload) {
  if (payload.empty()) return false;
  const auto kind = static_cast<uint8_t>(payload[0]);
  return kind >= static_cast<uint8_t>(JobKind::kSubmit) &&
         kind <= static_cast<uint8_t>(JobKind::kBeat);
}

std::string EncodeJobCommand(const JobCommand& c) {
  ByteWriter w;
  w.U8(static_cast<uint8_t>(c.kind));
  w.U64(c.now_ms);
  switch (c.kind) {
    case JobKind::kSubmit:
      EncodeSpec(w, c.spec);
      break;
    case JobKind::kClaim:
    case JobKind::kBeat:
      w.U64(c.node);
      break;
    case JobKind::kResult:
      w.U64(c.node);
      w.Str(c.name);
      w.U64(c.start);
      w.U64(c.attempt);
      w.U64(static_cast<uint64_t>(c.exit_code));
      w.U64(c.duration_ms);
      w.Str(c.output);
      break;
    case JobKind::kCancel:
      w.Str(c.name);
      break;
    case JobKind::kExpire:
      break;
  }
  return std::move(w.out);
}

std::optional<JobCommand> DecodeJobCommand(const std::string& payload) {
  if (!IsJobCommand(payload)) return std::nullopt;
  ByteReader r{payload};
  JobCommand c;
  c.kind = static_cast<JobKind>(r.U8());
  c.now_ms = r.U64();
  switch (c.kind) {
    case JobKind::kSubmit:
      if (!DecodeSpec(r, &c.spec)) return std::nullopt;
      break;
    case JobKind::kClaim:
    case JobKind::kBeat:
      c.node = r.U64();
      break;
    case JobKind::kResult:
      c.node = r.U64();
      c.name = r.Str(kJobNameBytesMax);
      c.start = r.U64();
      c.attempt = r.U64();
      c.exit_code = static_cast<int64_t>(r.U64());
      c.duration_ms = r.U64();
      c.output = r.Str(kJobOutputBytesMax);
      break;
    case JobKind::kCancel:
      c.name = r.Str(kJobNameBytesMax);
      break;
    case JobKind::kExpire:
      break;
  }
  if (!r.Done()) return std::nullopt;
  if (c.kind != JobKind::kSubmit && c.kind != JobKind::kExpire && c.kind != JobKind::kCancel &&
      c.node == 0) {
    return std::nullopt;
  }
  return c;
}

}  // namespace pifleet::sm
