// The JSON answers to job queries (ClientOp::kJobQuery; docs/jobs.md), from this node's replica
// of the job table: a list, one job's status, and its committed chunks a page at a time (a page
// stays under kJobPageBytes so that a reply fits one client message).
#pragma once

#include <string>

#include "agent/daemon/json_text.h"
#include "agent/sm/jobs.h"
#include "agent/sm/members.h"

namespace pifleet::daemon {

inline constexpr size_t kJobPageBytes = size_t{64} * 1024;
inline constexpr size_t kJobQueryBytesMax = 16 + sm::kJobNameBytesMax + 24;

// One job as `pifleet job status --json` prints it: progress, chunks and per-node throughput.
Json JobStatusJson(const sm::Job& job, const sm::MembersTable& members, uint64_t log_time_ms);

// `query` is "list", "status NAME" or "results NAME FROM". Sets *error (and returns "") when the
// query is malformed or names no job.
std::string AnswerJobQuery(const sm::JobTable& jobs, const sm::MembersTable& members,
                           const std::string& query, std::string* error);

}  // namespace pifleet::daemon
