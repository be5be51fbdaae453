// The exit codes of soket, one per cause, so that scripts can tell failures apart.
// The README's table lists the same; keep the two in step.
#pragma once

namespace soket::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,            // The job ran but did not succeed (e.g. an echo differed).
  kExitUsage = 2,              // A bad option or argument.
  kExitBadPort = 3,            // A port outside 0..65535.
  kExitAddressInUse = 4,       // Another socket holds the address.
  kExitPermissionDenied = 5,   // E.g. a port below 1024 without privilege.
  kExitHostNotFound = 6,       // The name does not resolve.
  kExitConnectionRefused = 7,  // Nothing listens there.
  kExitTimedOut = 8,           // No answer within --timeout.
  kExitNetworkError = 9,       // Any other network failure (reset, unreachable, ...).
  kExitRejected = 10,          // The server said no: wrong password, locked out, name refused.
  kExitNxdomain = 11,          // DNS: the name does not exist.
  kExitDnsServerFailure = 12,  // DNS: SERVFAIL, REFUSED or another error rcode.
  kExitMalformedReply = 13,    // A reply that breaks its protocol (DNS, HTTP).
  kExitTls = 14,               // TLS failed: expired, wrong host, unknown CA, handshake.
  kExitShortBody = 15,         // HTTP: the body ended early (Content-Length, or gzip).
  kExitTooManyRedirects = 16,  // HTTP: past --max-redirs (or a redirect loop).
  kExitHttpError = 17,         // HTTP: a status of 400 or more, with -f.
  kExitRedis = 18,             // Chat: Redis (--redis) unreachable, or it refused the room.
  kExitStdoutClosed = 141,     // stdout's reader closed it early (`| head`), as SIGPIPE gives.
};

}  // namespace soket::cli
