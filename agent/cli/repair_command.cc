// `pifleet repair --data-dir D [--yes] [--json]`: for a node whose WAL refuses to start,
// explains why its acceptor state cannot be patched and performs the safe way back (set the
// state aside, new node id, rejoin as a new member). Without --yes it only explains. Exit codes:
// 0 healthy or repaired, 1 repair needed but not performed (or it failed), 2 usage.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/random.h"
#include "agent/cli/command.h"
#include "agent/cli/repair_plan_text.h"
#include "agent/daemon/json_text.h"
#include "agent/store/data_dir_lock.h"
#include "agent/store/posix_env.h"
#include "agent/store/repair.h"

namespace pifleet::cli {
namespace {

struct RepairOptions {
  std::string data_dir = "/var/lib/pifleet";
  bool yes = false;
  bool json = false;
};

uint64_t NewNodeId(uint64_t old_id) {
  uint64_t id = RandomU64();
  while (id == old_id) id = RandomU64();
  return id;
}

void PrintJson(const RepairOptions& o, const store::RepairPlan& plan, bool performed,
               uint64_t new_id, const std::string& error) {
  const daemon::Json out = {{"data_dir", o.data_dir},
                            {"needed", plan.needed},
                            {"diagnosis", plan.diagnosis},
                            {"old_node_id", plan.old_meta.node_id},
                            {"aside_dir", plan.aside_dir},
                            {"moved", plan.moved},
                            {"performed", performed},
                            {"new_node_id", new_id},
                            {"error", error}};
  std::printf("%s\n", daemon::JsonText(out).c_str());
}

}  // namespace

std::string RepairPlanText(const store::RepairPlan& plan) {
  std::string out = "The WAL refuses to start:\n  " + plan.diagnosis +
                    "\n\n"
                    "Why it is not patched: a promise or accepted value lost to this damage can "
                    "let this\nnode's acceptor vote for a second value in a slot that is already "
                    "chosen. Its state\ncannot be trusted, so this node rejoins as a new member "
                    "instead.\n\nPlan:\n";
  const std::string old_id = std::to_string(plan.old_meta.node_id);
  std::vector<std::string> steps = {"copy node.meta to " + plan.aside_dir + "/node.meta",
                                    "give this node a new node id (the old one is " + old_id + ")"};
  for (const std::string& entry : plan.moved) {
    std::string step = "move ";
    step.append(entry).append(" to ").append(plan.aside_dir).append("/").append(entry);
    steps.push_back(step.append(" (kept for inspection, never deleted)"));
  }
  steps.push_back(
      "start the agent with --join HOST:PORT of a healthy member: it joins as a new member\n"
      "     and catches up from a snapshot and the log");
  steps.push_back("remove the old identity from the configuration: pifleet leave " + old_id);
  for (size_t i = 0; i < steps.size(); ++i) {
    out += "  " + std::to_string(i + 1) + ". " + steps[i] + "\n";
  }
  return out;
}

namespace {

int Run(const RepairOptions& o) {
  store::Env* env = store::PosixEnv();
  // Not on a live node's data dir: the agent holds this lock, and recovery may cut a torn tail.
  std::unique_ptr<store::FileLock> lock;
  if (Status s = store::LockDataDir(env, o.data_dir, &lock); !s.ok()) {
    if (o.json) PrintJson(o, store::RepairPlan{}, false, 0, s.ToString());
    if (!o.json) std::fprintf(stderr, "pifleet repair: %s\n", s.ToString().c_str());
    return kExitError;
  }
  store::RepairPlan plan;
  if (Status s = store::PlanRepair(env, o.data_dir, &plan); !s.ok()) {
    if (o.json) PrintJson(o, plan, false, 0, s.ToString());
    if (!o.json) std::fprintf(stderr, "pifleet repair: %s\n", s.ToString().c_str());
    return kExitError;
  }
  if (!plan.needed) {
    if (o.json) PrintJson(o, plan, false, 0, "");
    if (!o.json) std::printf("Nothing to repair: %s\n", plan.diagnosis.c_str());
    return kExitOk;
  }
  if (!o.json) std::fputs(RepairPlanText(plan).c_str(), stdout);
  if (!o.yes) {
    if (o.json) PrintJson(o, plan, false, 0, "");
    if (!o.json) std::printf("\nNothing was changed. Run again with --yes to do it.\n");
    return kExitError;
  }
  store::NodeMeta new_meta;
  const Status s =
      store::PerformRepair(env, o.data_dir, plan, NewNodeId(plan.old_meta.node_id), &new_meta);
  if (o.json) PrintJson(o, plan, s.ok(), s.ok() ? new_meta.node_id : 0, s.ok() ? "" : s.ToString());
  if (!s.ok()) {
    if (!o.json) std::fprintf(stderr, "pifleet repair: %s\n", s.ToString().c_str());
    return kExitError;
  }
  if (!o.json) {
    std::printf(
        "\nDone: this node is now %llu. Start it with --join, then run: pifleet leave %llu\n",
        (unsigned long long)new_meta.node_id, (unsigned long long)plan.old_meta.node_id);
  }
  return kExitOk;
}

}  // namespace

void InstallRepairCommand(CLI::App& app, Context& context) {
  auto options = std::make_shared<RepairOptions>();
  auto* cmd = app.add_subcommand(
      "repair", "Set aside a WAL that refuses to start and rejoin as a new member");
  cmd->add_option("--data-dir", options->data_dir, "The agent's data dir")->capture_default_str();
  cmd->add_flag("--yes", options->yes, "Perform the repair (without it: only explain)");
  cmd->add_flag("--json", options->json, "One JSON object on stdout");
  cmd->callback([options, &context] { context.exit_code = Run(*options); });
}

}  // namespace pifleet::cli
