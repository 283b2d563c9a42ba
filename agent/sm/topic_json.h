// The JSON checks of typed topics (docs/topics.md): an object's data is any JSON value, at most
// kTopicDataBytesMax bytes of compact text nested at most kJsonDepthMax deep; a type with fields
// requires an object holding each field with its JSON kind. The same checks run at the edge (the
// CLI, the agent) and in every replica, where they must never throw or recurse without bound: the
// depth is counted on the text before anything parses it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/sm/topic_keys.h"

namespace pifleet::sm {

// Refusals that are the publisher's fault (bad JSON, too large, not its type) begin with this;
// the CLI exits 2 on them (docs/topics.md).
inline constexpr std::string_view kTopicInvalid = "invalid: ";

// Parses `text` as one JSON value within the bounds; on success *compact is its compact text and
// the result is "", otherwise the reason (beginning with kTopicInvalid).
std::string CompactJson(std::string_view text, std::string* compact);
// "" when the JSON text `data` matches the type `type` with `fields` (no fields: any value);
// otherwise the reason, naming the field (beginning with kTopicInvalid).
std::string CheckTyped(std::string_view type, const std::vector<TypeField>& fields,
                       std::string_view data);

}  // namespace pifleet::sm
