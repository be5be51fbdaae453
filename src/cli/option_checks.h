// Option checks written for people: small CLI11 validators whose messages read on from the
// option's name, so that main() prints "soket: --timeout must be between 0.001 and 3600
// seconds; see soket dns --help" rather than the argument parser's own words.
//
// Each validator takes the text the user typed; it never modifies it. The bounds are
// inclusive and printed as a person writes them (0.001, never 0.001000).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace soket::cli {

// A number of seconds, fractions allowed: "must be between 0.1 and 86400 seconds".
CLI::Validator seconds_between(double low, double high);

// Any number, fractions allowed, with an optional unit: "must be between 0.001 and 1000000000
// messages per second".
CLI::Validator number_between(double low, double high, std::string unit = {});

// A whole number: "must be between 1 and 100", or with a unit, "... 0 and 3600 seconds".
CLI::Validator count_between(std::int64_t low, std::int64_t high, std::string unit = {});

// A whole number of bytes: "must be between 4096 and 2147483648 bytes (4 KiB to 2 GiB)".
CLI::Validator bytes_between(std::uint64_t low, std::uint64_t high);

// One word of a fixed set: "must be one of epoll, io_uring".
CLI::Validator one_of(std::vector<std::string> choices);

// How the checks print a bound: the shortest decimal that reads back the same (86400, 0.001).
std::string number_text(double value);
// 4096 -> "4 KiB", 2147483648 -> "2 GiB", 1500 -> "1500 bytes".
std::string bytes_text(std::uint64_t bytes);

}  // namespace soket::cli
