// What `soket sockets` prints: the table (as ss prints its columns), one JSON object per
// socket, and the -s summary. Formatting only: the listing comes from clients::list_sockets.
#pragma once

#include "clients/socket_lister.h"

namespace soket::cli {

struct SocketsOutput {
  bool processes = false;  // -p: the Process column.
  bool extended = false;   // -e: uid and inode.
  bool info = false;       // -i: rtt, rto, mss, cwnd, ssthresh, retransmits.
};

void print_socket_table(const clients::SocketListing& listing, const SocketsOutput& output);
// One object per line; strings that are not valid UTF-8 get U+FFFD.
void print_socket_json(const clients::SocketListing& listing, const SocketsOutput& output);
void print_socket_summary(const clients::SocketSummary& summary, bool json);

}  // namespace soket::cli
