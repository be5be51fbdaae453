// Usage errors in plain words: what the argument parser refused, named the way a user typed
// it, with a did-you-mean where one is near, and the --help of the subcommand that was meant.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cli/failure.h"

namespace soket::cli {

// "soket echo client": the words that select `command` from the top.
std::string command_path(const CLI::App& command);

// The subcommand the parse reached last (the top itself when none was chosen).
CLI::App& deepest_parsed(CLI::App& top);

// The nearest of `candidates` to `word` (a typo, a transposition, or a unique prefix), if one
// is near enough to suggest.
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates);

// One line for a parse that failed: unknown options, unknown subcommands and extra arguments
// first (the parser reports them last), then what the parser threw, in plain words.
Failure parse_failure(CLI::App& top, const CLI::ParseError& error);

// `-p --timeout 5`: an option that took another of the command's options as its value, named
// as the missing value it is. Checked after a failed parse and after a successful one.
std::optional<Failure> option_taken_as_value(CLI::App& command);

// `soket help [SUBCOMMAND [SUBSUBCOMMAND]]`: the arguments to parse instead (the same words
// with --help), or the failure for an unknown subcommand. `args` excludes the program name.
std::variant<std::vector<std::string>, Failure> help_request(CLI::App& top,
                                                             const std::vector<std::string>& args);

}  // namespace soket::cli
