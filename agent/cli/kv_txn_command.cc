// `pifleet kv txn --if 'KEY TARGET OP OPERAND' ... --then OP ... [--else OP ...] [--json]`: one
// transaction through the log. TARGET is mod, create, version or value; OP is =, !=, < or >; the
// operand is a number, or for value the rest of the text. An op is `put K V` (V: the rest of the
// text), `del K`, `del --prefix P`, `get K` or `get --prefix P`. Keys hold no spaces here. Exit 0
// when the compares held (the then ops ran), 1 when the else ops ran.
#include <charconv>
#include <cstdio>
#include <memory>
#include <vector>

#include "agent/cli/client.h"
#include "agent/cli/kv_txn_call.h"
#include "agent/sm/kv.h"

namespace pifleet::cli {
namespace {

// Splits off the first space-separated word of *rest.
std::string Word(std::string* rest) {
  const size_t space = rest->find(' ');
  std::string word = rest->substr(0, space);
  *rest = space == std::string::npos ? "" : rest->substr(space + 1);
  return word;
}

Status ParseCompare(const std::string& text, wire::KvCompareBody* out) {
  std::string rest = text;
  out->key = Word(&rest);
  const std::string target = Word(&rest);
  const std::string op = Word(&rest);
  const std::vector<std::string> targets = {"value", "version", "create", "mod"};
  const std::vector<std::string> ops = {"=", "!=", "<", ">"};
  const auto t = std::find(targets.begin(), targets.end(), target);
  const auto o = std::find(ops.begin(), ops.end(), op);
  if (out->key.empty() || t == targets.end() || o == ops.end()) {
    return Status::InvalidArgument("--if '" + text +
                                   "': expected 'KEY mod|create|version|value =|!=|<|> OPERAND'");
  }
  out->target = static_cast<uint8_t>(t - targets.begin());
  out->op = static_cast<uint8_t>(o - ops.begin());
  if (out->target == wire::KvCompareBody::kValue) {
    out->value = rest;
    return Status::Ok();
  }
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), out->number);
  if (rest.empty() || error != std::errc() || end != rest.data() + rest.size()) {
    return Status::InvalidArgument("--if '" + text + "': " + target + " needs a number");
  }
  return Status::Ok();
}

Status ParseOp(const std::string& text, wire::TxnOpBody* out) {
  std::string rest = text;
  const std::string verb = Word(&rest);
  if (verb == "put") {
    out->kind = wire::TxnOpBody::kPut;
    out->key = Word(&rest);
    out->value = rest;
    if (!out->key.empty()) return Status::Ok();
  } else if (verb == "del" || verb == "get") {
    out->kind = verb == "del" ? wire::TxnOpBody::kDelete : wire::TxnOpBody::kRange;
    std::string key = Word(&rest);
    if (key == "--prefix") {
      out->key = Word(&rest);
      out->range_end = sm::PrefixEnd(out->key);
      if (rest.empty()) return Status::Ok();
    } else if (!key.empty() && rest.empty()) {
      out->key = key;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("'" + text +
                                 "': expected 'put KEY VALUE', 'del KEY', 'del --prefix P', "
                                 "'get KEY' or 'get --prefix P'");
}

Status ParseTxn(const std::vector<std::string>& ifs, const std::vector<std::string>& thens,
                const std::vector<std::string>& elses, wire::TxnRequestBody* txn) {
  for (const std::string& text : ifs) {
    if (Status s = ParseCompare(text, &txn->compares.emplace_back()); !s.ok()) return s;
  }
  for (const std::string& text : thens) {
    if (Status s = ParseOp(text, &txn->then_ops.emplace_back()); !s.ok()) return s;
  }
  for (const std::string& text : elses) {
    if (Status s = ParseOp(text, &txn->else_ops.emplace_back()); !s.ok()) return s;
  }
  return Status::Ok();
}

void PrintReply(const wire::TxnReplyBody& reply, bool json) {
  nlohmann::json responses = nlohmann::json::array();
  if (!json) std::printf("%s\n", reply.succeeded ? "SUCCESS" : "FAILURE");
  for (const wire::TxnResponseBody& r : reply.responses) {
    if (r.kind == wire::TxnOpBody::kPut) {
      if (!json) std::printf("OK\n");
      responses.push_back({{"type", "put"}});
    } else if (r.kind == wire::TxnOpBody::kDelete) {
      if (!json) std::printf("%llu\n", static_cast<unsigned long long>(r.deleted));
      responses.push_back({{"type", "del"}, {"deleted", r.deleted}});
    } else {
      nlohmann::json rows = nlohmann::json::array();
      for (const wire::KvRow& row : r.rows) {
        rows.push_back(RowJson(row));
        if (!json) std::printf("%s\n%s\n", row.key.c_str(), row.value.c_str());
      }
      responses.push_back({{"type", "get"}, {"kvs", rows}, {"more", r.more}});
    }
  }
  if (json) {
    const nlohmann::json out{
        {"succeeded", reply.succeeded}, {"revision", reply.revision}, {"responses", responses}};
    std::printf("%s\n", DumpJson(out).c_str());
  }
}

}  // namespace

void InstallKvTxnCommand(CLI::App& kv, Context& context) {
  auto ifs = std::make_shared<std::vector<std::string>>();
  auto thens = std::make_shared<std::vector<std::string>>();
  auto elses = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  auto* txn = kv.add_subcommand(
      "txn",
      "If every compare holds run the --then ops, else the --else ops, at one revision "
      "(exit 0: the compares held; 1: the else ops ran)");
  txn->add_option("--if", *ifs, "'KEY mod|create|version|value =|!=|<|> OPERAND'")
      ->allow_extra_args(false);
  txn->add_option("--then", *thens,
                  "'put K V', 'del K', 'del --prefix P', 'get K', 'get --prefix P'")
      ->allow_extra_args(false);
  txn->add_option("--else", *elses, "ops as --then, run when a compare fails")
      ->allow_extra_args(false);
  txn->add_flag("--json", *json,
                R"({"succeeded", "revision", "responses": [{"type": "put"|"del"|"get", ...}]})");
  txn->callback([=, &context] {
    wire::TxnRequestBody body;
    if (Status status = ParseTxn(*ifs, *thens, *elses, &body); !status.ok()) {
      context.exit_code = FailCommand("kv txn", status);
      return;
    }
    wire::TxnReplyBody reply;
    context.exit_code = TxnCall("kv txn", context, body, &reply);
    if (context.exit_code != kExitOk) return;
    PrintReply(reply, *json);
    context.exit_code = reply.succeeded ? kExitOk : kExitError;
  });
}

}  // namespace pifleet::cli
