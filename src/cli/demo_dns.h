// The demo's DNS stop checks its own answers, as the other stops check their echoes: a stop
// that printed a wrong answer and passed would teach the wrong thing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "proto/dns/message.h"

namespace soket::cli::demo {

// What is wrong with `reply` when it should be NOERROR with exactly `expected` as its
// answers' data (in order); nullopt when it is right.
std::optional<std::string> dns_answer_mismatch(const proto::dns::Message& reply,
                                               const std::vector<std::string>& expected);

}  // namespace soket::cli::demo
