#include "agent/store/env.h"

namespace pifleet::store {

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path.push_back('/');
  path.append(name);
  return path;
}

Status ReadFileToString(Env* env, const std::string& path, std::string* out) {
  std::unique_ptr<SequentialFile> file;
  Status s = env->NewSequentialFile(path, &file);
  if (!s.ok()) return s;
  out->clear();
  constexpr size_t kChunkBytes = size_t{64} * 1024;
  std::string chunk;
  while (true) {
    s = file->Read(kChunkBytes, &chunk);
    if (!s.ok()) return s;
    if (chunk.empty()) return Status::Ok();
    out->append(chunk);
  }
}

Status WriteFileAtomically(Env* env, const std::string& dir, const std::string& name,
                           std::string_view data) {
  const std::string path = JoinPath(dir, name);
  const std::string tmp_path = path + ".tmp";
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(tmp_path, &file);
  if (s.ok()) s = file->Append(data);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  if (s.ok()) s = env->RenameFile(tmp_path, path);
  if (s.ok()) s = env->SyncDir(dir);
  // The first error is the one to report; a leftover temp file is harmless and replaced next time.
  if (!s.ok() && env->FileExists(tmp_path)) (void)env->RemoveFile(tmp_path);
  return s;
}

}  // namespace pifleet::store

namespace pifleet::store {

Status Env::LockFile(const std::string& path, std::unique_ptr<FileLock>* /*lock*/) {
  return Status::IOError(path + ": this Env cannot take file locks");
}

}  // namespace pifleet::store
