#include "agent/sm/member_limits.h"

#include "agent/base/text.h"
#include "agent/sm/members.h"

namespace pifleet::sm {

Status CheckMemberText(const Member& member) {
  if (Status status = CheckText("name", member.name, kMemberNameBytesMax); !status.ok()) {
    return status;
  }
  const std::pair<const char*, const std::string*> fields[] = {
      {"address", &member.address}, {"role", &member.role},     {"version", &member.version},
      {"board", &member.board},     {"serial", &member.serial},
  };
  for (const auto& [what, text] : fields) {
    if (Status status = CheckText(what, *text, kMemberTextBytesMax); !status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace pifleet::sm
