#include "agent/sm/topic_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace pifleet::sm {
namespace {

// The deepest nesting of arrays and objects in `text` (strings skipped), stopping past `max`.
size_t Depth(std::string_view text, size_t max) {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    if ((c == ']' || c == '}') && depth > 0) --depth;
    if (deepest > max) break;
  }
  return deepest;
}

// Parses within the bounds; a discarded value when the text is no JSON.
nlohmann::json Parse(std::string_view text, std::string* why) {
  if (text.size() > kTopicDataBytesMax * 4) {
    *why = std::string(kTopicInvalid) + "data of " + std::to_string(text.size()) +
           " bytes exceeds the limit of " + std::to_string(kTopicDataBytesMax) + " bytes";
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  if (Depth(text, kJsonDepthMax) > kJsonDepthMax) {
    *why = std::string(kTopicInvalid) + "data nests deeper than " + std::to_string(kJsonDepthMax) +
           " arrays or objects";
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (value.is_discarded()) *why = std::string(kTopicInvalid) + "data is not well-formed JSON";
  return value;
}

bool HasKind(const nlohmann::json& value, FieldKind kind) {
  switch (kind) {
    case FieldKind::kInt:
      return value.is_number_integer();
    case FieldKind::kFloat:
      return value.is_number();
    case FieldKind::kString:
      return value.is_string();
    case FieldKind::kBool:
      return value.is_boolean();
    case FieldKind::kObject:
      return value.is_object();
    case FieldKind::kArray:
      return value.is_array();
  }
  return false;
}

std::string_view KindOf(const nlohmann::json& value) {
  if (value.is_number_integer()) return "int";
  if (value.is_number()) return "float";
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "bool";
  if (value.is_object()) return "object";
  if (value.is_array()) return "array";
  return "null";
}

}  // namespace

std::string CompactJson(std::string_view text, std::string* compact) {
  std::string why;
  const nlohmann::json value = Parse(text, &why);
  if (value.is_discarded()) return why;
  *compact = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (compact->size() > kTopicDataBytesMax) {
    return std::string(kTopicInvalid) + "data of " + std::to_string(compact->size()) +
           " bytes (compact JSON) exceeds the limit of " + std::to_string(kTopicDataBytesMax) +
           " bytes";
  }
  return "";
}

std::string CheckTyped(std::string_view type, const std::vector<TypeField>& fields,
                       std::string_view data) {
  std::string why;
  const nlohmann::json value = Parse(data, &why);
  if (value.is_discarded()) return why;
  if (fields.empty()) return "";
  const std::string prefix = std::string(kTopicInvalid) + "type '" + std::string(type) + "': ";
  if (!value.is_object()) return prefix + "data must be a JSON object with its fields";
  for (const TypeField& field : fields) {
    const auto it = value.find(field.name);
    if (it == value.end()) {
      return prefix + "field '" + field.name + "' (" + std::string(FieldKindName(field.kind)) +
             ") is missing";
    }
    if (!HasKind(*it, field.kind)) {
      return prefix + "field '" + field.name + "' must be " +
             std::string(FieldKindName(field.kind)) + ", not " + std::string(KindOf(*it));
    }
  }
  return "";
}

}  // namespace pifleet::sm
