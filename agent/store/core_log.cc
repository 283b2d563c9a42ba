#include "agent/store/core_log.h"

#include "agent/codec/core_records.h"
#include "agent/core/snapshot.h"
#include "agent/store/snapshot_file.h"

namespace pifleet::store {
namespace {

// "WAL record 12 (accept): <why>": which record, so that a person can find it.
Status AtRecord(const WalRecord& record, const Status& status) {
  return Status::Corruption("WAL record " + std::to_string(record.lsn) + " (" +
                            RecordKindName(record.kind) + "): " + status.message());
}

Status Undecodable(const WalRecord& record) {
  return AtRecord(record, Status::Corruption("its slot does not match its body"));
}

}  // namespace

std::string WalDir(const std::string& data_dir) { return JoinPath(data_dir, "wal"); }
std::string SnapDir(const std::string& data_dir) { return JoinPath(data_dir, "snap"); }

Status AppendCoreRecord(Wal* wal, const core::Record& record, uint64_t* lsn) {
  if (const auto* promise = std::get_if<core::PromiseRecord>(&record)) {
    return wal->Append(RecordKind::kPromise, 0, codec::EncodeBallotRecord(promise->ballot), lsn);
  }
  if (const auto* accept = std::get_if<core::AcceptRecord>(&record)) {
    return wal->Append(RecordKind::kAccept, accept->pvalue.slot,
                       codec::EncodePValueRecord(accept->pvalue), lsn);
  }
  if (const auto* decision = std::get_if<core::DecisionRecord>(&record)) {
    if (!decision->accepted_ballot.IsNull()) {
      return wal->Append(RecordKind::kDecidedAccept, decision->slot,
                         codec::EncodeBallotRecord(decision->accepted_ballot), lsn);
    }
    // A decision is a pvalue without a ballot.
    return wal->Append(RecordKind::kDecision, decision->slot,
                       codec::EncodePValueRecord(core::PValue{{}, decision->slot, decision->value}),
                       lsn);
  }
  const auto& marker = std::get<core::SnapshotRecord>(record);
  return wal->Append(RecordKind::kSnapshotMarker, marker.slot,
                     codec::EncodeSnapshotMarkerRecord(marker.hash), lsn);
}

Status FoldCoreRecord(const WalRecord& record, core::DurableState* durable) {
  Status s;
  switch (record.kind) {
    case RecordKind::kPromise: {
      core::PromiseRecord promise;
      s = codec::DecodeBallotRecord(record.payload, &promise.ballot);
      if (s.ok()) durable->Apply(promise);
      break;
    }
    case RecordKind::kAccept: {
      core::AcceptRecord accept;
      s = codec::DecodePValueRecord(record.payload, &accept.pvalue);
      if (s.ok() && (record.slot == 0 || accept.pvalue.slot != record.slot)) {
        return Undecodable(record);
      }
      if (s.ok()) durable->Apply(accept);
      break;
    }
    case RecordKind::kDecision: {
      core::PValue pvalue;
      s = codec::DecodePValueRecord(record.payload, &pvalue);
      if (s.ok() && (record.slot == 0 || pvalue.slot != record.slot)) return Undecodable(record);
      if (s.ok()) durable->Apply(core::DecisionRecord{pvalue.slot, std::move(pvalue.value), {}});
      break;
    }
    case RecordKind::kDecidedAccept: {
      core::DecisionRecord decision{record.slot, {}, {}};
      s = codec::DecodeBallotRecord(record.payload, &decision.accepted_ballot);
      if (s.ok() && record.slot == 0) return Undecodable(record);
      if (s.ok() && decision.accepted_ballot.IsNull()) s = Status::Corruption("it names no ballot");
      if (s.ok()) durable->Apply(decision);
      break;
    }
    case RecordKind::kSnapshotMarker: {
      uint64_t hash = 0;
      s = codec::DecodeSnapshotMarkerRecord(record.payload, &hash);
      if (s.ok()) durable->Apply(core::SnapshotRecord{record.slot, hash});
      break;
    }
    case RecordKind::kSegmentHeader:
      s = Status::Corruption("a segment header where a core record belongs");
      break;
  }
  return s.ok() ? s : AtRecord(record, s);
}

Status SaveCoreSnapshot(Env* env, const std::string& data_dir, const core::SnapshotSave& save) {
  return WriteSnapshot(env, SnapDir(data_dir), save.slot, *save.blob);
}

Status RecoverCore(Env* env, const std::string& data_dir, const WalOptions& options,
                   CoreRecovery* out) {
  *out = CoreRecovery{};
  Status s = env->CreateDir(data_dir);
  if (s.ok()) s = env->CreateDir(SnapDir(data_dir));
  if (s.ok()) {
    s = RemoveSnapshotTempFiles(env, SnapDir(data_dir), &out->snapshot_temp_files_removed);
  }
  if (!s.ok()) return s;
  core::DurableState* durable = &out->durable;
  s = Wal::Open(
      env, WalDir(data_dir), options,
      [durable](const WalRecord& record) { return FoldCoreRecord(record, durable); }, &out->wal,
      &out->report);
  if (!s.ok()) return s;
  SnapshotInfo info;
  s = FindLatestSnapshot(env, SnapDir(data_dir), &info);
  if (s.code() == Status::Code::kNotFound) s = Status::Ok();
  std::string blob;
  if (s.ok() && !info.path.empty()) s = ReadSnapshot(env, info.path, &info, &blob);
  if (!s.ok()) return s;
  if (!info.path.empty()) {
    core::SnapshotMeta meta;
    std::string app;
    if (!core::DecodeSnapshot(blob, &meta, &app) || meta.slot != info.slot) {
      return Status::Corruption(info.path + ": not a snapshot of the consensus core");
    }
    out->snapshot_slot = info.slot;
    out->snapshot = std::make_shared<const std::string>(std::move(blob));
  }
  const core::DurableState& d = out->durable;
  if (!d.decisions_unresolved.empty()) {
    const auto& [slot, ballot] = *d.decisions_unresolved.begin();
    return Status::Corruption(WalDir(data_dir) + ": the decision of slot " + std::to_string(slot) +
                              " names the value accepted at ballot (" +
                              std::to_string(ballot.round) + ", " + std::to_string(ballot.node) +
                              "), which no record holds");
  }
  if (d.snapshot_slot > out->snapshot_slot ||
      (d.snapshot_slot != 0 && d.snapshot_slot == out->snapshot_slot &&
       d.snapshot_hash != core::SnapshotHash(*out->snapshot))) {
    return Status::Corruption(SnapDir(data_dir) + ": the WAL's snapshot marker for slot " +
                              std::to_string(d.snapshot_slot) +
                              " has no matching intact snapshot file");
  }
  return Status::Ok();
}

}  // namespace pifleet::store
