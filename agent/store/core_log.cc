#include "agent/store/core_log.h"

#include <span>

#include "agent/core/snapshot.h"
#include "agent/store/snapshot_file.h"
#include "agent/wire/codec.h"

namespace pifleet::store {
namespace {

void PutU64(std::string& out, uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Status Undecodable(const WalRecord& record) {
  return Status::Corruption("WAL record " + std::to_string(record.lsn) + ": undecodable " +
                            RecordKindName(record.kind));
}

}  // namespace

std::string WalDir(const std::string& data_dir) { return JoinPath(data_dir, "wal"); }
std::string SnapDir(const std::string& data_dir) { return JoinPath(data_dir, "snap"); }

Status AppendCoreRecord(Wal* wal, const core::Record& record, uint64_t* lsn) {
  if (const auto* promise = std::get_if<core::PromiseRecord>(&record)) {
    return wal->Append(RecordKind::kPromise, 0, wire::EncodeBallot(promise->ballot), lsn);
  }
  if (const auto* accept = std::get_if<core::AcceptRecord>(&record)) {
    return wal->Append(RecordKind::kAccept, accept->pvalue.slot, wire::EncodePValue(accept->pvalue),
                       lsn);
  }
  if (const auto* decision = std::get_if<core::DecisionRecord>(&record)) {
    // A decision is a pvalue without a ballot.
    return wal->Append(RecordKind::kDecision, decision->slot,
                       wire::EncodePValue(core::PValue{{}, decision->slot, decision->value}), lsn);
  }
  const auto& marker = std::get<core::SnapshotRecord>(record);
  std::string hash;
  PutU64(hash, marker.hash);
  return wal->Append(RecordKind::kSnapshotMarker, marker.slot, hash, lsn);
}

Status FoldCoreRecord(const WalRecord& record, core::DurableState* durable) {
  switch (record.kind) {
    case RecordKind::kPromise: {
      core::PromiseRecord promise;
      if (!wire::DecodeBallot(Bytes(record.payload), &promise.ballot)) return Undecodable(record);
      durable->Apply(promise);
      return Status::Ok();
    }
    case RecordKind::kAccept: {
      core::AcceptRecord accept;
      if (!wire::DecodePValue(Bytes(record.payload), &accept.pvalue) || record.slot == 0 ||
          accept.pvalue.slot != record.slot) {
        return Undecodable(record);
      }
      durable->Apply(accept);
      return Status::Ok();
    }
    case RecordKind::kDecision: {
      core::PValue pvalue;
      if (!wire::DecodePValue(Bytes(record.payload), &pvalue) || record.slot == 0 ||
          pvalue.slot != record.slot) {
        return Undecodable(record);
      }
      durable->Apply(core::DecisionRecord{pvalue.slot, std::move(pvalue.value)});
      return Status::Ok();
    }
    case RecordKind::kSnapshotMarker: {
      if (record.payload.size() != 8) return Undecodable(record);
      uint64_t hash = 0;
      for (int i = 0; i < 8; ++i) {
        hash |= uint64_t{static_cast<uint8_t>(record.payload[i])} << (8 * i);
      }
      durable->Apply(core::SnapshotRecord{record.slot, hash});
      return Status::Ok();
    }
    case RecordKind::kSegmentHeader:
      break;
  }
  return Undecodable(record);
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
