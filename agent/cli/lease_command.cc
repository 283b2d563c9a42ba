// `pifleet lease grant TTL_S | keepalive ID [--once] | revoke ID | list [--json]`: leases
// (sm/leases.h). keepalive renews the lease every third of its TTL until stopped (or once).
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <thread>

#include "agent/cli/kv_txn_call.h"
#include "agent/cli/lease_call.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::cli {

Status LeaseCall(Client& client, const wire::LeaseRequestBody& body, std::string* output) {
  wire::KvReplyBody answer;
  if (Status status = client.Command(wire::ClientOp::kLease, wire::EncodeBody(body), &answer);
      !status.ok()) {
    return status;
  }
  *output = answer.value;
  return Status::Ok();
}

namespace {

int WithClient(const char* command, Context& context, const std::function<int(Client&)>& run) {
  std::unique_ptr<Client> client;
  if (Status status = Client::Create(context.client, &client); !status.ok()) {
    return FailCommand(command, status);
  }
  return run(*client);
}

int Grant(Context& context, uint64_t ttl_s, bool json) {
  return WithClient("lease grant", context, [&](Client& client) {
    std::string id;
    if (Status s = LeaseCall(client, {wire::LeaseRequestBody::kGrant, 0, ttl_s * 1000}, &id);
        !s.ok()) {
      return FailCommand("lease grant", s);
    }
    if (json) {
      std::printf("%s\n", DumpJson({{"id", std::stoull(id)}, {"ttl", ttl_s}}).c_str());
    } else {
      std::printf("%s\n", id.c_str());
    }
    return static_cast<int>(kExitOk);
  });
}

int KeepAlive(Context& context, uint64_t id, bool once) {
  return WithClient("lease keepalive", context, [&](Client& client) {
    while (true) {
      std::string ttl_ms;
      if (Status s = LeaseCall(client, {wire::LeaseRequestBody::kKeepAlive, id, 0}, &ttl_ms);
          !s.ok()) {
        return FailCommand("lease keepalive", s);
      }
      std::printf("lease %llu kept alive, TTL %s ms\n", static_cast<unsigned long long>(id),
                  ttl_ms.c_str());
      std::fflush(stdout);
      if (once) return static_cast<int>(kExitOk);
      std::this_thread::sleep_for(std::chrono::milliseconds(std::stoull(ttl_ms) / 3));
    }
  });
}

int Revoke(Context& context, uint64_t id, bool json) {
  return WithClient("lease revoke", context, [&](Client& client) {
    std::string answer;
    if (Status s = LeaseCall(client, {wire::LeaseRequestBody::kRevoke, id, 0}, &answer); !s.ok()) {
      return FailCommand("lease revoke", s);
    }
    const uint64_t revision = std::stoull(answer.substr(0, answer.find(' ')));
    const uint64_t deleted = std::stoull(answer.substr(answer.find(' ') + 1));
    if (json) {
      std::printf("%s\n", DumpJson({{"revision", revision}, {"deleted", deleted}}).c_str());
    } else {
      std::printf("lease %llu revoked, %llu keys deleted\n", static_cast<unsigned long long>(id),
                  static_cast<unsigned long long>(deleted));
    }
    return static_cast<int>(kExitOk);
  });
}

int ListLeases(Context& context, bool json) {
  wire::ClientReply reply;
  const int code =
      CallCommand("lease list", context.client, wire::ClientOp::kLeaseList, "", &reply);
  if (code != kExitOk) return code;
  wire::LeaseListBody body;
  if (!wire::DecodeBody(reply.payload, &body)) {
    std::fprintf(stderr, "pifleet lease list: malformed reply from the agent\n");
    return kExitError;
  }
  if (!json) std::printf("%-10s %-10s %-6s %s\n", "ID", "TTL_S", "KEYS", "REMAINING_MS");
  for (const wire::LeaseRow& row : body.rows) {
    if (json) {
      std::printf("%s\n", DumpJson({{"id", row.id},
                                    {"ttl", row.ttl_ms / 1000},
                                    {"keys", row.keys},
                                    {"remaining_ms", row.remaining_ms}})
                              .c_str());
    } else {
      std::printf("%-10llu %-10llu %-6llu %lld\n", static_cast<unsigned long long>(row.id),
                  static_cast<unsigned long long>(row.ttl_ms / 1000),
                  static_cast<unsigned long long>(row.keys),
                  static_cast<long long>(row.remaining_ms));
    }
  }
  return kExitOk;
}

}  // namespace

void InstallLeaseCommand(CLI::App& app, Context& context) {
  auto* lease = app.add_subcommand("lease", "Leases: TTLs that keys attach to (kv put --lease)");
  lease->require_subcommand(1);
  auto ttl_s = std::make_shared<uint64_t>(0);
  auto id = std::make_shared<uint64_t>(0);
  auto json = std::make_shared<bool>(false);
  auto once = std::make_shared<bool>(false);
  auto* grant =
      lease->add_subcommand("grant", "A new lease of TTL_S seconds (1 to 86400); prints its id");
  grant->add_option("TTL_S", *ttl_s, "Seconds")->required()->check(CLI::Range(1, 86400));
  grant->add_flag("--json", *json, R"({"id": N, "ttl": S})");
  grant->callback([=, &context] { context.exit_code = Grant(context, *ttl_s, *json); });
  auto* keepalive =
      lease->add_subcommand("keepalive", "Renew lease ID every third of its TTL until stopped");
  keepalive->add_option("ID", *id, "Lease id")->required();
  keepalive->add_flag("--once", *once, "Renew once and exit");
  keepalive->callback([=, &context] { context.exit_code = KeepAlive(context, *id, *once); });
  auto* revoke = lease->add_subcommand("revoke", "End lease ID now; its keys are deleted");
  revoke->add_option("ID", *id, "Lease id")->required();
  revoke->add_flag("--json", *json, R"({"revision": N, "deleted": K})");
  revoke->callback([=, &context] { context.exit_code = Revoke(context, *id, *json); });
  auto* list = lease->add_subcommand("list", "The leases, their TTL, keys and time left");
  list->add_flag("--json", *json, "One object per lease: id, ttl, keys, remaining_ms");
  list->callback([=, &context] { context.exit_code = ListLeases(context, *json); });
}

}  // namespace pifleet::cli
