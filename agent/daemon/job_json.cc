#include "agent/daemon/job_json.h"

#include <charconv>
#include <map>

#include "agent/daemon/json_text.h"

namespace pifleet::daemon {
namespace {

Json JobSummary(const sm::Job& job) {
  Json j;
  j["name"] = job.spec.name;
  j["state"] = sm::JobStateName(job.state);
  j["first"] = job.spec.first;
  j["end"] = job.spec.end;
  j["items"] = job.total();
  j["committed_items"] = job.committed_items;
  j["next_item"] = job.next_item;  // items below it are handed out in chunks
  return j;
}

}  // namespace

Json JobStatusJson(const sm::Job& job, const sm::MembersTable& members, uint64_t log_time_ms) {
  Json j = JobSummary(job);
  j["workload"] = job.spec.workload == sm::Workload::kSha256 ? "sha256" : "command";
  j["chunk_min"] = job.spec.chunk_min;
  j["timeout_s"] = job.spec.timeout_s;
  j["retries"] = job.spec.retries;
  uint64_t done = 0, running = 0;
  std::map<uint64_t, uint64_t> running_on;
  for (const auto& [start, chunk] : job.chunks) {
    done += chunk.done ? 1 : 0;
    running += chunk.runs.empty() ? 0 : 1;
    for (const sm::JobRun& run : chunk.runs) ++running_on[run.node];
  }
  j["chunks"] = job.chunks.size();
  j["chunks_done"] = done;
  j["chunks_running"] = running;
  j["submitted_ms"] = job.submitted_ms;
  j["started_ms"] = job.started_ms;
  j["finished_ms"] = job.finished_ms;
  j["log_time_ms"] = log_time_ms;
  j["failure"] = job.failure;
  Json workers = Json::array();
  std::map<uint64_t, bool> nodes;
  for (const auto& [node, w] : job.workers) nodes[node] = true;
  for (const auto& [node, n] : running_on) nodes[node] = true;
  for (const auto& [node, unused] : nodes) {
    const auto w = job.workers.count(node) ? job.workers.at(node) : sm::JobWorker{};
    const auto member = members.Find(node);
    Json row;
    row["node"] = node;
    row["name"] = member ? member->name : "";
    row["capacity_milli"] = member ? member->capacity_milli : 0;
    row["items"] = w.items;
    row["busy_ms"] = w.busy_ms;
    row["items_per_s"] = w.busy_ms ? static_cast<double>(w.items) * 1000.0 / w.busy_ms : 0.0;
    row["running"] = running_on[node];
    workers.push_back(std::move(row));
  }
  j["workers"] = std::move(workers);
  return j;
}

namespace {

Json ResultsPage(const sm::Job& job, uint64_t from) {
  Json chunks = Json::array();
  size_t bytes = 0;
  Json next = nullptr;
  for (auto it = job.chunks.lower_bound(from); it != job.chunks.end(); ++it) {
    const sm::JobChunk& chunk = it->second;
    if (!chunk.done) continue;
    if (bytes > kJobPageBytes) {
      next = chunk.start;
      break;
    }
    Json row;
    row["start"] = chunk.start;
    row["end"] = chunk.end;
    row["node"] = chunk.node;
    row["attempt"] = chunk.attempt;
    row["exit_code"] = chunk.exit_code;
    row["duration_ms"] = chunk.duration_ms;
    row["output"] = chunk.output;
    bytes += 200 + chunk.output.size() * 6;  // worst case: every byte escaped in six (\u001f)
    chunks.push_back(std::move(row));
  }
  Json j;
  j["name"] = job.spec.name;
  j["state"] = sm::JobStateName(job.state);
  j["chunks"] = std::move(chunks);
  j["next"] = next;
  return j;
}

}  // namespace

std::string AnswerJobQuery(const sm::JobTable& jobs, const sm::MembersTable& members,
                           const std::string& query, std::string* error) {
  if (query.size() > kJobQueryBytesMax) return *error = "job query too long", "";
  if (query == "list") {
    Json list = Json::array();
    for (const auto& [id, job] : jobs.jobs()) list.push_back(JobSummary(job));
    Json j;
    j["jobs"] = std::move(list);
    return JsonText(j);
  }
  const size_t space = query.find(' ');
  const std::string verb = query.substr(0, space);
  std::string rest = space == std::string::npos ? "" : query.substr(space + 1);
  uint64_t from = 0;
  if (verb == "results") {
    const size_t last = rest.rfind(' ');
    if (last == std::string::npos) return *error = "malformed job query", "";
    const std::string number = rest.substr(last + 1);
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), from);
    if (ec != std::errc() || end != number.data() + number.size()) {
      return *error = "malformed job query", "";
    }
    rest.resize(last);
  } else if (verb != "status") {
    return *error = "malformed job query", "";
  }
  const sm::Job* job = jobs.Find(rest);
  if (!job) return *error = "no job named " + rest, "";
  return JsonText(verb == "status" ? JobStatusJson(*job, members, jobs.log_time_ms())
                                   : ResultsPage(*job, from));
}

}  // namespace pifleet::daemon
