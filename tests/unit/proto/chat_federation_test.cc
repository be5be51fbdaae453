// The events servers of one room exchange over Redis, and the Room's federated mode: names
// claimed before they are given, remote members in /who and /msg, the split and the heal.
#include "proto/chat/federation.h"

#include <gtest/gtest.h>

#include "proto/chat/room.h"

namespace soket::proto::chat {
namespace {

using namespace std::chrono_literals;

Event sample(EventKind kind) {
  Event event = make_event(kind);
  event.server = "0123abcd";
  event.label = "alpha:5000";
  event.seq = 42;
  if (kind == EventKind::join || kind == EventKind::leave || kind == EventKind::text ||
      kind == EventKind::private_text) {
    event.name = "ani";
  }
  if (kind == EventKind::text || kind == EventKind::private_text) event.text = "halo \"dunia\" é";
  if (kind == EventKind::private_text) event.to = "budi";
  if (kind == EventKind::roster) event.members = {"ani", "budi"};
  return event;
}

TEST(FederationCodec, EveryKindRoundTrips) {
  for (auto kind : {EventKind::hello, EventKind::roster, EventKind::join, EventKind::leave,
                    EventKind::text, EventKind::private_text, EventKind::bye}) {
    const Event event = sample(kind);
    std::string why;
    const auto decoded = decode(encode(event), why);
    ASSERT_TRUE(decoded.has_value()) << encode(event) << ": " << why;
    EXPECT_EQ(*decoded, event) << encode(event);
  }
}

TEST(FederationCodec, TheWireFormIsReadableJson) {
  EXPECT_EQ(encode(sample(EventKind::join)),
            R"({"kind":"join","label":"alpha:5000","name":"ani","seq":42,"server":"0123abcd",)"
            R"("v":1})");
}

TEST(FederationCodec, AnythingMalformedIsRefusedWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {R"({"v":2,"server":"a","label":"a","seq":1,"kind":"hello"})", "not version 1"},
      {R"({"v":1,"server":"a b","label":"a","seq":1,"kind":"hello"})", "bad server id"},
      {R"({"v":1,"server":"a","label":"","seq":1,"kind":"hello"})", "bad server label"},
      {R"({"v":1,"server":"a","label":"a","seq":-1,"kind":"hello"})", "bad seq"},
      {R"({"v":1,"server":"a","label":"a","seq":1,"kind":"shout"})", "unknown kind"},
      {R"({"v":1,"server":"a","label":"a","seq":1,"kind":"join","name":"a b"})", "bad member name"},
      {R"({"v":1,"server":"a","label":"a","seq":1,"kind":"text","name":"a"})", "bad text"},
      {R"({"v":1,"server":"a","label":"a","seq":1,"kind":"private","name":"a","text":"t"})",
       "bad recipient name"},
      {R"({"v":1,"server":"a","label":"a","seq":1,"kind":"roster","members":["ok",7]})",
       "bad roster member"},
      {std::string(kMaxEventBytes + 1, ' '), "event too large"},
  };
  for (const auto& [payload, reason] : cases) {
    std::string why;
    EXPECT_FALSE(decode(payload, why).has_value()) << payload;
    EXPECT_EQ(why, reason) << payload.substr(0, 80);
  }
  Event big = sample(EventKind::text);
  big.text.assign(kMaxEventText + 1, 'x');
  std::string why;
  EXPECT_FALSE(decode(encode(big), why).has_value());
}

class FederatedRoom : public testing::Test {
 protected:
  FederatedRoom() : room_("pw", Limits{}) { room_.federate("alpha"); }

  Actions say(SessionId id, std::string_view line) {
    Actions out;
    room_.receive(id, line, now_, out);
    return out;
  }
  static std::vector<std::string> lines_to(const Actions& out, SessionId id) {
    std::vector<std::string> lines;
    for (const auto& d : out.deliveries) {
      if (d.to == id || d.to == kEveryMember) lines.push_back(d.line);
    }
    return lines;
  }
  void join(SessionId id, const std::string& name) {
    room_.open(id, "127.0.0.1", "peer");
    say(id, "PASSWORD pw");
    const Actions asked = say(id, "USERNAME " + name);
    ASSERT_EQ(asked.claims.size(), 1u);
    Actions out;
    room_.claim_answered(id, name, ClaimAnswer::granted, {}, out);
    ASSERT_TRUE(room_.is_member(id));
  }

  Room room_;
  TimePoint now_{std::chrono::hours(1)};
};

TEST_F(FederatedRoom, ANameIsGivenOnlyOnceRedisGrantsIt) {
  room_.open(1, "127.0.0.1", "peer");
  say(1, "PASSWORD pw");
  const Actions asked = say(1, "USERNAME ani");
  ASSERT_EQ(asked.claims.size(), 1u);
  EXPECT_EQ(asked.claims[0].name, "ani");
  EXPECT_TRUE(asked.deliveries.empty());
  EXPECT_FALSE(room_.is_member(1));
  // While it is claimed, nobody else here may ask for it, and the asker waits.
  room_.open(2, "127.0.0.1", "peer");
  say(2, "PASSWORD pw");
  EXPECT_EQ(lines_to(say(2, "USERNAME ANI"), 2), std::vector<std::string>{"USERNAME TAKEN"});
  EXPECT_EQ(lines_to(say(1, "hello"), 1),
            std::vector<std::string>{"ERROR wait: your name is being claimed"});
  Actions out;
  Event old = make_event(EventKind::text, "budi", "\x1b[2Jearlier");
  room_.claim_answered(1, "ani", ClaimAnswer::granted, {old}, out);
  EXPECT_EQ(lines_to(out, 1), (std::vector<std::string>{"USERNAME OK", "[history] budi: earlier",
                                                        "ani joined the chat room."}));
  ASSERT_EQ(out.publish.size(), 1u);
  EXPECT_EQ(out.publish[0].kind, EventKind::join);
}

TEST_F(FederatedRoom, TakenAndUnavailableClaimsLeaveTheSessionFreeToTryAgain) {
  room_.open(1, "127.0.0.1", "peer");
  say(1, "PASSWORD pw");
  say(1, "USERNAME ani");
  Actions out;
  room_.claim_answered(1, "ani", ClaimAnswer::taken, {}, out);
  EXPECT_EQ(lines_to(out, 1), std::vector<std::string>{"USERNAME TAKEN"});
  say(1, "USERNAME ani2");
  out.clear();
  room_.claim_answered(1, "ani2", ClaimAnswer::unavailable, {}, out);
  EXPECT_EQ(lines_to(out, 1),
            std::vector<std::string>{
                "ERROR names cannot be checked while the room is split; try again soon"});
  EXPECT_EQ(say(1, "USERNAME ani3").claims.size(), 1u);
}

TEST_F(FederatedRoom, AClaimGrantedAfterItsSessionLeftIsGivenBack) {
  room_.open(1, "127.0.0.1", "peer");
  say(1, "PASSWORD pw");
  say(1, "USERNAME ani");
  Actions out;
  room_.close(1, "left", out);
  out.clear();
  room_.claim_answered(1, "ani", ClaimAnswer::granted, {}, out);
  EXPECT_EQ(out.released, std::vector<std::string>{"ani"});
  EXPECT_TRUE(out.deliveries.empty());
}

TEST_F(FederatedRoom, RemoteMembersAreListedMessagedAndAnnounced) {
  join(1, "ani");
  Actions out;
  room_.remote_join("b1", "beta", "budi", /*quietly=*/false, out);
  EXPECT_EQ(lines_to(out, 1), std::vector<std::string>{"budi joined the chat room."});
  EXPECT_EQ(lines_to(say(1, "/who"), 1),
            std::vector<std::string>{"members (2): ani@alpha budi@beta"});
  const Actions sent = say(1, "/msg BUDI psst");
  ASSERT_EQ(sent.publish.size(), 1u);
  EXPECT_EQ(sent.publish[0].kind, EventKind::private_text);
  EXPECT_EQ(sent.publish[0].to, "budi");
  EXPECT_TRUE(sent.deliveries.empty());
  room_.open(2, "127.0.0.1", "peer");  // A name known to be held elsewhere: no claim needed.
  say(2, "PASSWORD pw");
  const Actions asked = say(2, "USERNAME budi");
  EXPECT_TRUE(asked.claims.empty());
  EXPECT_EQ(lines_to(asked, 2), std::vector<std::string>{"USERNAME TAKEN"});
  out.clear();
  room_.remote_text("budi", "hi\x07", out);
  EXPECT_EQ(lines_to(out, 1), std::vector<std::string>{"budi: hi"});
  out.clear();
  room_.remote_private("budi", "ani", "just you", out);
  EXPECT_EQ(lines_to(out, 1), std::vector<std::string>{"[private] budi: just you"});
  out.clear();
  room_.remote_leave("other-server", "budi", out);  // Only its own server can say it left.
  EXPECT_TRUE(out.deliveries.empty());
  room_.remote_leave("b1", "budi", out);
  EXPECT_EQ(lines_to(out, 1), std::vector<std::string>{"budi left the chat room."});
}

TEST_F(FederatedRoom, NoRemoteEventSpeaksForALocalMember) {
  join(1, "ani");
  Actions out;
  room_.remote_join("b1", "beta", "ANI", false, out);
  room_.remote_text("ani", "forged", out);
  EXPECT_TRUE(out.deliveries.empty());
  EXPECT_EQ(out.log.size(), 2u);
  EXPECT_EQ(room_.remote_count(), 0u);
}

TEST_F(FederatedRoom, RostersReconcileAndAGoneServersMembersLeave) {
  join(1, "ani");
  Actions out;
  room_.remote_roster("b1", "beta", {"budi", "cici"}, /*quietly=*/true, out);
  EXPECT_TRUE(out.deliveries.empty());
  EXPECT_EQ(room_.remote_count(), 2u);
  room_.remote_roster("b1", "beta", {"cici"}, true, out);  // budi's leave was missed.
  EXPECT_EQ(lines_to(out, 1), std::vector<std::string>{"budi left the chat room."});
  out.clear();
  room_.remote_server_gone("b1", out);
  EXPECT_EQ(lines_to(out, 1), std::vector<std::string>{"cici left the chat room."});
  EXPECT_EQ(room_.remote_count(), 0u);
}

TEST_F(FederatedRoom, SplitIsToldOnceAndForgetsTheOtherServers) {
  join(1, "ani");
  Actions out;
  room_.remote_join("b1", "beta", "budi", true, out);
  room_.set_split(true, out);
  room_.set_split(true, out);
  ASSERT_EQ(lines_to(out, 1).size(), 1u);
  EXPECT_EQ(lines_to(out, 1)[0].rfind("the room is split: ", 0), 0u);
  EXPECT_EQ(room_.remote_count(), 0u);
  out.clear();
  room_.set_split(false, out);
  EXPECT_EQ(lines_to(out, 1), std::vector<std::string>{"the room is whole again"});
}

TEST_F(FederatedRoom, ALostNameEndsItsMemberWithoutGivingTheNameBack) {
  join(1, "ani");
  Actions out;
  room_.name_lost(1, out);
  EXPECT_EQ(out.closes, std::vector<SessionId>{1});
  EXPECT_TRUE(out.released.empty());  // Another server holds it: not ours to delete.
  EXPECT_FALSE(room_.is_member(1));
}

TEST_F(FederatedRoom, RemoteMembersAreBoundedAndWhoFitsADatagram) {
  join(1, "ani");
  Actions out;
  for (std::size_t i = 0; i <= kMaxRemoteMembers; ++i) {
    room_.remote_join("b" + std::to_string(i / 5000), "beta", "m" + std::to_string(i), true, out);
  }
  EXPECT_EQ(room_.remote_count(), kMaxRemoteMembers);
  ASSERT_EQ(out.log.size(), 1u);  // The one past the bound, logged.
  EXPECT_NE(out.log[0].find("not listed"), std::string::npos) << out.log[0];
  const auto who = lines_to(say(1, "/who"), 1);
  ASSERT_EQ(who.size(), 1u);
  EXPECT_LE(who[0].size(), kMaxWhoBytes + 32);
  EXPECT_EQ(who[0].rfind("members (" + std::to_string(kMaxRemoteMembers + 1) + "): ", 0), 0u);
  EXPECT_NE(who[0].find(" more"), std::string::npos);
}

TEST(UnfederatedRoom, WhoKeepsItsSingleServerForm) {
  Room room("pw", Limits{});
  room.open(1, "127.0.0.1", "peer");
  Actions out;
  room.receive(1, "PASSWORD pw", {}, out);
  room.receive(1, "USERNAME ani", {}, out);
  EXPECT_TRUE(out.claims.empty());
  EXPECT_TRUE(out.publish.empty());
  out.clear();
  room.receive(1, "/who", {}, out);
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(out.deliveries[0].line, "members (1): ani");
}

}  // namespace
}  // namespace soket::proto::chat
