// Room: the chat room of seed 004 as a sans-I/O state machine. It knows sessions by an id
// the transport gives (a TCP connection, a UDP peer address), takes their lines, and answers
// with Actions: lines to deliver, lines to log and sessions to close. No sockets, no clock:
// the time comes in with each call. Not thread-safe; one loop owns it.
//
// Wire protocol (one line each way; the transport adds or strips the LF):
//   PASSWORD <pw>   -> PASSWORD OK | PASSWORD INCORRECT | ERROR too many attempts
//   USERNAME <name> -> USERNAME OK | USERNAME TAKEN | USERNAME INVALID | ERROR room full
//                      (a session given a token: "USERNAME OK", then "TOKEN <hex>")
//   (any other line before PASSWORD OK) -> ERROR not authenticated
//   after USERNAME OK every other line is a message: "<name>: <text>" to every member,
//   but a line starting with '/' is a command (see commands.h), never relayed:
//   exit, /quit     leave;  /who  the members, to the sender;  /msg <name> <text>  private;
//   /help  the command list;  /other -> "ERROR unknown command /other; ..." to the sender;
//   //text  relays "/text".  PING -> PONG.  Joins and leaves are announced: "<name> joined the chat
//   room." / "left".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "proto/chat/failure_table.h"
#include "proto/chat/federation.h"

namespace soket::proto::chat {

using SessionId = std::uint64_t;
inline constexpr SessionId kEveryMember = 0;  // A delivery to every member.

struct Limits {
  std::size_t max_users = 1000;
  std::size_t max_line = 4096;    // Bytes of a line, without its end.
  int messages_per_second = 20;   // Per member; the surplus is dropped. 0: no limit.
  int max_password_failures = 5;  // Per origin (IP address) within `failure_window`...
  Duration failure_window = std::chrono::seconds(60);
  Duration lockout = std::chrono::seconds(60);  // ...then locked out this long.
  std::size_t max_failure_origins = 10000;      // Origins whose failures are remembered.
};

struct Delivery {
  SessionId to;  // kEveryMember: all members, the sender included.
  std::string line;
};

// A name a session asks for, in a federated room: the transport claims it room-wide (in
// Redis) and answers with Room::claim_answered.
struct Claim {
  SessionId id;
  std::string name;
};

struct Actions {
  std::vector<Delivery> deliveries;
  std::vector<std::string> log;   // What the server prints (it adds the time).
  std::vector<SessionId> closes;  // Sessions the transport should end.
  // Federated rooms only: names to claim, and events for the other servers (kind, name, to,
  // text and members filled; the transport adds server, label and seq).
  std::vector<Claim> claims;
  std::vector<Event> publish;
  // Names this server no longer serves (left, dropped): the transport releases them.
  std::vector<std::string> released;
  void clear() {
    deliveries.clear();
    log.clear();
    closes.clear();
    claims.clear();
    publish.clear();
    released.clear();
  }
};

enum class ClaimAnswer { granted, taken, unavailable };

class Room {
 public:
  Room(std::string password, Limits limits);

  // A transport session begins. `origin` groups sessions for the password-attempt limit
  // (the IP address); `peer` is how the log names it ("127.0.0.1:5000 (udp)"); `via` says
  // whether wrong passwords lock the origin out of both transports (TCP) or UDP only.
  void open(SessionId id, std::string origin, std::string peer, Via via = Via::tcp);
  // The session's token, sent as "TOKEN <token>" right after its USERNAME OK (UDP: the
  // transport then knows its member by the token, not by the address alone).
  void set_token(SessionId id, std::string token);
  void receive(SessionId id, std::string_view line, TimePoint now, Actions& out);
  // The transport cut a line at max_line: the sender is told and nothing is relayed.
  void line_too_long(SessionId id, Actions& out);
  // The transport session ended (`why` goes to the log): a member is announced as left.
  void close(SessionId id, std::string_view why, Actions& out);

  // Federation: from now on this room is one of several servers' (see federation.h). Names
  // are claimed room-wide before they are given, members' lines are also published, and
  // /who names each member's server by its label.
  void federate(std::string label);
  bool federated() const { return !label_.empty(); }
  // The answer to a Claim; `history` (text events, oldest first) is sent to a new member,
  // marked "[history]", before anything live.
  void claim_answered(SessionId id, const std::string& name, ClaimAnswer answer,
                      const std::vector<Event>& history, Actions& out);
  // Another server holds this member's name now (found when renewing it): the member is told
  // and closed.
  void name_lost(SessionId id, Actions& out);
  // Events from other servers. A join, leave or gone is announced to local members unless
  // `quietly` (a roster learned at start, or after the room was split).
  void remote_join(const std::string& server, const std::string& label, const std::string& name,
                   bool quietly, Actions& out);
  void remote_leave(const std::string& server, const std::string& name, Actions& out);
  void remote_text(const std::string& name, const std::string& text, Actions& out);
  void remote_private(const std::string& from, const std::string& to, const std::string& text,
                      Actions& out);
  // A server's roster: members not listed any more leave (announced), new ones are added.
  void remote_roster(const std::string& server, const std::string& label,
                     const std::vector<std::string>& names, bool quietly, Actions& out);
  // An event from another server, by kind (hello asks nothing of the room; roster is taken
  // quietly, the others announced).
  void remote_event(const Event& event, Actions& out);
  // A server stopped or went silent past the expiry: its members leave, announced.
  void remote_server_gone(const std::string& server, Actions& out);
  // The link to the other servers is lost (members are told once, and the other servers'
  // members are forgotten) or back (told once).
  void set_split(bool split, Actions& out);
  // The names of every local member (what this server claims and renews).
  std::vector<std::string> member_names() const;
  std::size_t remote_count() const { return remote_.size(); }
  // Local members and remote ones together.
  std::size_t room_size() const { return names_.size() + remote_.size(); }
  SessionId member_named(std::string_view name) const;

  bool has_session(SessionId id) const { return sessions_.contains(id); }
  bool is_member(SessionId id) const;
  // PASSWORD OK was given (a member, or choosing a name).
  bool is_authenticated(SessionId id) const;
  std::size_t session_count() const { return sessions_.size(); }
  // A member's name ("" for a session that is not a member). Valid until the next call.
  std::string_view name_of(SessionId id) const;
  std::size_t failure_origins() const { return failures_.size(); }
  std::size_t member_count() const { return names_.size(); }
  // Member sessions, in no particular order (for delivering to every member).
  const std::vector<SessionId>& members() const { return member_ids_; }

 private:
  enum class State { connected, authenticated, claiming, member };
  struct Remote {
    std::string name;
    std::string server;
    std::string label;
  };
  struct Session {
    State state = State::connected;
    std::string origin;
    std::string peer;
    std::string name;
    std::string token;
    Via via = Via::tcp;
    double tokens = 0;  // Rate limit: a bucket of messages_per_second tokens.
    TimePoint refilled{};
    TimePoint last_slow_down{};
  };

  void on_password(Session& session, SessionId id, std::string_view guess, TimePoint now,
                   Actions& out);
  void on_username(Session& session, SessionId id, std::string_view name, Actions& out);
  void on_member_line(Session& session, SessionId id, std::string_view line, TimePoint now,
                      Actions& out);
  void on_text(Session& session, SessionId id, std::string_view line, TimePoint now, Actions& out);
  void on_private(Session& session, SessionId id, std::string_view rest, Actions& out);
  void on_who(SessionId id, Actions& out) const;
  bool take_token(Session& session, SessionId id, TimePoint now, Actions& out);
  // `release`: the name goes back to the room (not when another server holds it already).
  void leave(SessionId id, std::string_view why, Actions& out, bool release = true);
  void admit(Session& session, SessionId id, const std::vector<Event>& history, Actions& out);
  bool name_in_use(const std::string& lower) const;
  void forget_remote(std::map<std::string, Remote>::iterator it, bool announce, Actions& out);
  static void reply(SessionId id, std::string line, Actions& out);

  std::string password_;
  Limits limits_;
  std::unordered_map<SessionId, Session> sessions_;
  std::map<std::string, SessionId> names_;  // Lower-cased name -> member.
  std::vector<SessionId> member_ids_;
  FailureTable failures_;                      // By origin; bounded (see failure_table.h).
  std::string label_;                          // This server's, when federated.
  std::map<std::string, SessionId> claiming_;  // Lower-cased name -> session asking for it.
  std::map<std::string, Remote> remote_;       // Lower-cased name -> another server's member.
  bool split_ = false;
};

// Members of other servers a room remembers at most; a roster past it is cut (and logged).
inline constexpr std::size_t kMaxRemoteMembers = 100000;

// A /who line lists names up to this many bytes, then "and N more": it must fit one
// datagram for a UDP member, whatever the size of a room spread over servers.
inline constexpr std::size_t kMaxWhoBytes = 32 * 1024;

// 1 to 32 characters of letters, digits, '_', '-' and '.'.
bool is_valid_name(std::string_view name);
// Compares in time that depends only on the guess's length, never on where it differs.
bool equal_in_constant_time(std::string_view secret, std::string_view guess);

}  // namespace soket::proto::chat
