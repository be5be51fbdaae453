#include "cli/usage_error.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <system_error>

namespace soket::cli {
namespace {

// The subcommands `app` may be given, by their first name (option groups have none).
std::vector<std::string> subcommand_names(CLI::App& app, bool with_help = true) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (!sub->get_name().empty() && !sub->get_disabled()) names.push_back(sub->get_name());
  }
  if (with_help && app.get_parent() == nullptr && !names.empty()) names.push_back("help");
  return names;
}

std::vector<std::string> long_option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

// Optimal string alignment distance: insertions, deletions, substitutions and the swap of
// two neighbours (--tiemout) each count one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  auto near = did_you_mean(word, candidates);
  return near ? fmt::format(" (did you mean {}?)", *near) : std::string();
}

Failure usage(const std::string& message, const CLI::App& command) {
  return {kExitUsage, fmt::format("{}; see {} --help", message, command_path(command))};
}

// What `app` was given and knows nothing of: an option, a subcommand or an extra argument.
std::optional<Failure> unknown_argument(CLI::App& app) {
  if (app.get_allow_extras()) return std::nullopt;  // The command reads them itself.
  const auto missing = app.remaining(false);
  if (missing.empty()) return std::nullopt;
  const std::string& word = missing.front();
  if (word.size() > 2 && word.starts_with("--")) {
    const std::string name = word.substr(0, word.find('='));
    return usage(fmt::format("unknown option {}{}", name, suggestion(name, long_option_names(app))),
                 app);
  }
  if (word.size() > 1 && word[0] == '-') {
    // -xyz: the parser took the letters before x; x is the one it does not know.
    return usage(fmt::format("unknown option {}", word.substr(0, 2)), app);
  }
  auto names = subcommand_names(app);
  if (!names.empty() && app.get_subcommands().empty()) {
    return usage(fmt::format("unknown subcommand {}{}", word, suggestion(word, names)), app);
  }
  return usage(fmt::format("unexpected argument '{}'", word), app);
}

std::optional<Failure> first_unknown(CLI::App& top) {
  for (CLI::App* app = &top; app != nullptr;) {
    if (auto failure = unknown_argument(*app)) return failure;
    const auto parsed = app->get_subcommands();
    app = parsed.empty() ? nullptr : parsed.front();
  }
  return std::nullopt;
}

const CLI::Option* find_option(const CLI::App& command, const std::string& name) {
  for (const CLI::App* app = &command; app != nullptr; app = app->get_parent()) {
    if (const CLI::Option* option = app->get_option_no_throw(name)) return option;
  }
  return nullptr;
}

// "NAME: rest" -> {NAME, rest}; the parser puts an option's name first in most messages.
std::pair<std::string, std::string> split_name(const std::string& text) {
  const auto colon = text.find(": ");
  if (colon == std::string::npos) return {std::string(), text};
  return {text.substr(0, colon), text.substr(colon + 2)};
}

// "0.001000" -> "0.001": CLI11 prints its bounds with std::to_string.
std::string plain_number(const std::string& text) {
  double value = 0;
  auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || ptr != text.data() + text.size()) return text;
  return fmt::format("{}", value);
}

// Messages of CLI11's own checks (CLI::Range, CLI::IsMember), for options that still use them.
std::string reword_check(const std::string& text) {
  const auto range = text.find(" not in range ");
  if (text.starts_with("Value ") && range != std::string::npos) {
    const auto bounds = text.substr(range + 14);
    const auto to = bounds.find(" to ");
    if (to != std::string::npos) {
      return fmt::format("must be between {} and {}", plain_number(bounds.substr(0, to)),
                         plain_number(bounds.substr(to + 4)));
    }
  }
  const auto set = text.find(" not in {");
  if (set != std::string::npos && text.ends_with("}")) {
    std::string list;
    for (char c : text.substr(set + 9, text.size() - set - 10)) {
      list += c == ',' ? std::string(", ") : std::string(1, c);
    }
    return "must be one of " + list;
  }
  if (text.starts_with("must ") || text.starts_with("is ")) return text;
  return ": " + text;
}

std::string conversion_words(const CLI::Option* option, const std::string& value) {
  if (option == nullptr) return fmt::format("cannot take '{}'", value);
  if (option->get_items_expected_max() == 0) {
    return fmt::format("is a flag and takes no value (or true/false), not '{}'", value);
  }
  const std::string type = option->get_type_name();
  if (type.starts_with("INT") || type.starts_with("UINT")) {
    return fmt::format("must be a whole number, not '{}'", value);
  }
  if (type.starts_with("FLOAT") || type.starts_with("NUMBER")) {
    return fmt::format("must be a number, not '{}'", value);
  }
  return fmt::format("cannot take '{}'", value);
}

// The counts of values: "--port: 1 required INT missing" (none left to take), "--port: At
// Most 1 required but received 2" (given twice).
std::string reword_mismatch(const std::string& text) {
  auto [name, rest] = split_name(text);
  if (name.empty()) return text;
  if (rest.ends_with(" missing")) return fmt::format("{} needs a value", name);
  if (rest.starts_with("At Most 1 ")) return fmt::format("{} is given more than once", name);
  const auto received = rest.find(" required but received ");
  if (received != std::string::npos) {
    const auto bound = rest.substr(0, received);  // "At Least 2", "At Most 3"
    const bool least = bound.starts_with("At Least ");
    return fmt::format("{} takes at {} {} values, not {}", name, least ? "least" : "most",
                       bound.substr(bound.rfind(' ') + 1), rest.substr(received + 23));
  }
  return text;
}

}  // namespace

// `-p --timeout 5`: the parser takes --timeout as the port, then finds 5 left over (or gives it
// to a positional). What went wrong is the missing value of -p.
std::optional<Failure> option_taken_as_value(CLI::App& command) {
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_items_expected_max() == 0 || !option->nonpositional()) continue;
    for (const auto& value : option->results()) {
      if (value.size() < 2 || value[0] != '-' || (value[1] >= '0' && value[1] <= '9')) continue;
      const std::string name = value.substr(0, value.find('='));
      const CLI::Option* other = command.get_option_no_throw(name);
      if (other != nullptr && other->nonpositional()) {
        return usage(
            fmt::format("{} needs a value ({} is an option of its own)", option->get_name(), name),
            command);
      }
    }
  }
  return std::nullopt;
}

namespace {

// "A subcommand is required", "--port is required", "url is required" (a positional).
std::string reword_required(CLI::App& command, const std::string& text) {
  if (text == "A subcommand is required" || text.starts_with("Requires at least")) {
    std::string list;
    for (const auto& name : subcommand_names(command, false)) {
      list += (list.empty() ? "" : ", ") + name;
    }
    return fmt::format("{} needs a subcommand: {}", command_path(command), list);
  }
  const auto at = text.find(" is required");
  const CLI::Option* option =
      at == std::string::npos ? nullptr : find_option(command, text.substr(0, at));
  if (option != nullptr && !option->nonpositional()) {
    return fmt::format("the {} argument is required", text.substr(0, at));
  }
  return text;  // "--port is required"
}

std::string reword(CLI::App& command, const CLI::ParseError& error) {
  const std::string kind = error.get_name();
  const std::string text = error.what();
  if (kind == "RequiredError") return reword_required(command, text);
  if (kind == "ArgumentMismatch") return reword_mismatch(text);
  if (kind == "ConversionError") {
    const std::string prefix = "Could not convert: ";
    const auto equals = text.find(" = ");
    if (text.starts_with(prefix) && equals != std::string::npos) {
      const auto name = text.substr(prefix.size(), equals - prefix.size());
      return fmt::format("{} {}", name,
                         conversion_words(find_option(command, name), text.substr(equals + 3)));
    }
    auto [name, rest] = split_name(text);
    if (!name.empty()) return fmt::format("{} is a flag and takes no value", name);
    return text;
  }
  if (kind == "ValidationError") {
    auto [name, rest] = split_name(text);
    auto words = reword_check(rest);
    return words.starts_with(": ") ? name + words : fmt::format("{} {}", name, words);
  }
  if (kind == "ExcludesError") {
    const auto at = text.find(" excludes ");
    if (at != std::string::npos) {
      return fmt::format("{} and {} exclude each other", text.substr(0, at), text.substr(at + 10));
    }
  }
  if (kind == "ExtrasError") {
    const auto colon = text.find(": ");
    if (colon != std::string::npos) return "unexpected argument " + text.substr(colon + 2);
  }
  return text;
}

}  // namespace

std::string command_path(const CLI::App& command) {
  std::string path = command.get_name();
  for (const CLI::App* app = command.get_parent(); app != nullptr; app = app->get_parent()) {
    path = app->get_name() + " " + path;
  }
  return path;
}

CLI::App& deepest_parsed(CLI::App& top) {
  CLI::App* app = &top;
  for (auto parsed = app->get_subcommands(); !parsed.empty(); parsed = app->get_subcommands()) {
    app = parsed.front();
  }
  return *app;
}

std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  const std::size_t dashes = word.find_first_not_of('-') == std::string_view::npos
                                 ? word.size()
                                 : word.find_first_not_of('-');
  const std::size_t letters = word.size() - dashes;
  if (letters == 0) return std::nullopt;
  // One slip in a short word, two in a longer one: more would suggest unrelated words.
  const std::size_t allowed = letters <= 4 ? 1 : 2;
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best) return best;
  // A unique prefix of two letters or more: "trans" for transform.
  if (letters < 2) return std::nullopt;
  for (const auto& candidate : candidates) {
    if (candidate.starts_with(word)) {
      if (best) return std::nullopt;
      best = candidate;
    }
  }
  return best;
}

Failure parse_failure(CLI::App& top, const CLI::ParseError& error) {
  CLI::App& command = deepest_parsed(top);
  if (auto failure = option_taken_as_value(command)) return *failure;
  if (auto failure = first_unknown(top)) return *failure;
  return usage(reword(command, error), command);
}

std::variant<std::vector<std::string>, Failure> help_request(CLI::App& top,
                                                             const std::vector<std::string>& args) {
  std::vector<std::string> words;
  CLI::App* command = &top;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--help" || word == "-h") continue;
    auto names = subcommand_names(*command, /*with_help=*/false);
    if (names.empty()) return usage(fmt::format("unexpected argument '{}'", word), *command);
    CLI::App* next = nullptr;
    for (CLI::App* sub : command->get_subcommands([](CLI::App*) { return true; })) {
      if (!sub->get_name().empty() && sub->check_name(word)) next = sub;
    }
    if (next == nullptr) {
      return usage(fmt::format("unknown subcommand {}{}", word, suggestion(word, names)), *command);
    }
    words.push_back(word);
    command = next;
  }
  words.push_back("--help");
  return words;
}

}  // namespace soket::cli
