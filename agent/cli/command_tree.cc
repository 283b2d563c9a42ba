#include "agent/cli/command_tree.h"

namespace pifleet::cli {
namespace {

// CLI::IsMember describes itself as "{a,b,c}" inside the type name ("TEXT:{a,b,c}").
std::vector<std::string> ChoicesOf(const std::string& type_name) {
  const size_t open = type_name.find('{');
  const size_t close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::vector<std::string> choices;
  const std::string list = type_name.substr(open + 1, close - open - 1);
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) choices.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return choices;
}

OptionDoc DescribeOption(const CLI::Option& option) {
  OptionDoc doc;
  for (const std::string& name : option.get_snames()) doc.flags.push_back("-" + name);
  for (const std::string& name : option.get_lnames()) doc.flags.push_back("--" + name);
  if (option.get_positional() && doc.flags.empty()) doc.positional = option.get_name(true, false);
  if (option.get_type_size_max() > 0) {
    const std::string type_name = option.get_type_name();
    doc.value_name = type_name.substr(0, type_name.find(':'));
    doc.choices = ChoicesOf(type_name);
  }
  doc.description = option.get_description();
  doc.required = option.get_required();
  return doc;
}

void Describe(const CLI::App& app, std::vector<std::string> path, const std::string& parent_footer,
              CommandDoc* out) {
  out->path = std::move(path);
  out->description = app.get_description();
  // CLI11 hands a command's footer down to its subcommands: say it once, where it was set.
  if (app.get_footer() != parent_footer) out->footer = app.get_footer();
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    out->options.push_back(DescribeOption(*option));
  }
  const auto subcommands =
      app.get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty(); });
  for (const CLI::App* sub : subcommands) {
    if (sub->get_group().empty()) continue;  // hidden
    std::vector<std::string> child_path = out->path;
    child_path.push_back(sub->get_name());
    Describe(*sub, std::move(child_path), app.get_footer(), &out->children.emplace_back());
  }
}

void Flatten(const CommandDoc& command, std::vector<const CommandDoc*>* out) {
  out->push_back(&command);
  for (const CommandDoc& child : command.children) Flatten(child, out);
}

}  // namespace

std::string CommandDoc::PathText() const {
  std::string text = "pifleet";
  for (const std::string& word : path) text += " " + word;
  return text;
}

CommandDoc DescribeCommands(const CLI::App& app) {
  CommandDoc root;
  Describe(app, {}, "", &root);
  return root;
}

std::vector<const CommandDoc*> FlattenCommands(const CommandDoc& root) {
  std::vector<const CommandDoc*> out;
  Flatten(root, &out);
  return out;
}

}  // namespace pifleet::cli
