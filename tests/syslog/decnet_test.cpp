// The DECNET dialect: field mapping, attacker-IP rules, double-wrapped lines, the CMD rewrite,
// IPv6, and the JSON record the ingester reads.
#include "decnet/syslog/decnet.h"

#include <gtest/gtest.h>

#include "decnet/core/json.h"

namespace decnet::syslog {
namespace {

DecnetRecord ParseOk(const std::string& line) {
  static DecnetParser parser;
  static std::string keep;
  keep = line;  // views point into the line: keep it alive with the record
  DecnetRecord r;
  Status st = parser.Parse(keep, &r);
  EXPECT_TRUE(st) << line << ": " << (st ? "" : st.error().message);
  return r;
}

TEST(SyslogDecnet, RelayLine) {
  DecnetRecord r = ParseOk(
      R"(<134>1 2026-04-14T12:00:00Z decky-01 ssh - login_attempt [relay@55555 src_ip="10.0.0.1" username="root" password="toor"] Failed login)");
  EXPECT_EQ(r.timestamp, "2026-04-14 12:00:00");
  EXPECT_EQ(r.decky, "decky-01");
  EXPECT_EQ(r.service, "ssh");
  EXPECT_EQ(r.event_type, "login_attempt");
  EXPECT_EQ(r.attacker_ip, "10.0.0.1");
  EXPECT_EQ(r.Field("username"), "root");
  EXPECT_EQ(r.Field("password"), "toor");
  EXPECT_EQ(r.msg, "Failed login");
  EXPECT_FALSE(r.unwrapped);
}

TEST(SyslogDecnet, TimestampConvertedToUtc) {
  EXPECT_EQ(ParseOk("<134>1 2026-04-14T14:00:00+02:00 d s - e -").timestamp, "2026-04-14 12:00:00");
  EXPECT_EQ(ParseOk("<134>1 2026-04-14T12:00:00.5 d s - e -").timestamp, "2026-04-14 12:00:00");
  EXPECT_EQ(ParseOk("<134>1 not-a-time d s - e -").timestamp, "not-a-time");
}

TEST(SyslogDecnet, IpFieldPriority) {
  EXPECT_EQ(ParseOk(R"(<134>1 - d s - e [relay@55555 ip="9.9.9.9" src="8.8.8.8"])").attacker_ip,
            "8.8.8.8");
  EXPECT_EQ(ParseOk(R"(<134>1 - d s - e [relay@55555 target_ip="9.9.9.9" remote_addr="7.7.7.7"])")
                .attacker_ip,
            "7.7.7.7");
  EXPECT_EQ(
      ParseOk(R"(<134>1 - d s - e [relay@55555 client_ip="1.1.1.1" src_ip="2.2.2.2"])").attacker_ip,
      "2.2.2.2");
  EXPECT_EQ(ParseOk(R"(<134>1 - d s - e [relay@55555 user="x"])").attacker_ip, "Unknown");
  // Only relay@55555 params are fields.
  DecnetRecord r = ParseOk(R"(<134>1 - d s - e [other@1 src_ip="3.3.3.3"] hi)");
  EXPECT_TRUE(r.fields.empty());
  EXPECT_EQ(r.attacker_ip, "Unknown");
  // Duplicate names: last value wins at the first position.
  r = ParseOk(R"(<134>1 - d s - e [relay@55555 a="1" b="2" a="3"])");
  ASSERT_EQ(r.fields.size(), 2u);
  EXPECT_EQ(r.fields[0].first, "a");
  EXPECT_EQ(r.fields[0].second, "3");
}

TEST(SyslogDecnet, IpFromMessage) {
  // key=value in MSG (the bash PROMPT_COMMAND line).
  EXPECT_EQ(ParseOk("<14>1 - d bash - - - CMD uid=0 user=root src=192.168.1.5 pwd=/root cmd=id")
                .attacker_ip,
            "192.168.1.5");
  // Anchored prose, never the local listener address after "on".
  EXPECT_EQ(ParseOk("<38>1 - d sshd 77 - - Connection from 1.2.3.4 port 42772 on 10.0.0.2 port 22")
                .attacker_ip,
            "1.2.3.4");
  EXPECT_EQ(ParseOk("<38>1 - d sshd 77 - - pam_unix(sshd:auth): authentication failure; "
                    "logname= uid=0 euid=0 tty=ssh ruser= rhost=5.6.7.8  user=root")
                .attacker_ip,
            "5.6.7.8");
  EXPECT_EQ(ParseOk("<38>1 - d smtp - - - CLIENT:4.3.2.1 said hello").attacker_ip, "4.3.2.1");
  // Bare IPv4 as a last resort; invalid quads are skipped.
  EXPECT_EQ(ParseOk("<38>1 - d x - - - saw 999.1.1.1 then 8.8.4.4.").attacker_ip, "8.8.4.4");
  EXPECT_EQ(ParseOk("<38>1 - d x - - - nothing here v1.2.3").attacker_ip, "Unknown");
}

TEST(SyslogDecnet, Ipv6SurvivesIntact) {
  EXPECT_EQ(ParseOk(R"(<134>1 - d s - e [relay@55555 src_ip="2001:db8::1"])").attacker_ip,
            "2001:db8::1");
  EXPECT_EQ(ParseOk(R"(<134>1 - d s - e [relay@55555 src_ip="[2001:db8::1]:4444"])").attacker_ip,
            "2001:db8::1");
  EXPECT_EQ(ParseOk(R"(<134>1 - d s - e [relay@55555 src_ip="10.1.2.3:4444"])").attacker_ip,
            "10.1.2.3");
  EXPECT_EQ(ParseOk(R"(<134>1 - d s - e [relay@55555 src_ip="::ffff:10.1.2.3"])").attacker_ip,
            "::ffff:10.1.2.3");
  EXPECT_EQ(
      ParseOk("<38>1 - d sshd 1 - - Accepted password for root from 2001:db8:0:0:1::7 port 22")
          .attacker_ip,
      "2001:db8:0:0:1::7");
  EXPECT_EQ(ParseOk("<38>1 - d sshd 1 - - Connection from [fe80::1]:51000").attacker_ip, "fe80::1");
  EXPECT_EQ(ParseOk("<38>1 - d bash - - - CMD src=[2001:db8::5]:22 cmd=ls").attacker_ip,
            "2001:db8::5");
  // Issue 14, finding 10: a non-address value is never the attacker_ip (the original kept it
  // verbatim); the raw text is kept beside it and the search goes on.
  DecnetRecord bad = ParseOk(R"(<134>1 - d s - e [relay@55555 src_ip="not-an-ip"])");
  EXPECT_EQ(bad.attacker_ip, "Unknown");
  EXPECT_EQ(bad.attacker_ip_raw, "not-an-ip");
  std::string json;
  AppendJsonRecord(&json, bad);
  EXPECT_NE(json.find(R"("attacker_ip":"Unknown")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("attacker_ip_raw":"not-an-ip")"), std::string::npos) << json;
  DecnetRecord later = ParseOk(R"(<134>1 - d s - e [relay@55555 src_ip="evil" ip="9.8.7.6"])");
  EXPECT_EQ(later.attacker_ip, "9.8.7.6");
  EXPECT_EQ(later.attacker_ip_raw, "evil");
  EXPECT_EQ(ParseOk("<38>1 - d x - - - src_ip=" + std::string(15800, 'A') + " connect").attacker_ip,
            "Unknown");
  EXPECT_EQ(ParseOk("<38>1 - d x - - - src_ip=" + std::string(15800, 'A')).attacker_ip_raw.size(),
            256u);
  std::string out;
  EXPECT_FALSE(NormalizeIp("[2001:db8::1]x", &out));
  EXPECT_FALSE(NormalizeIp("1.2.3.4:99999999", &out));
  EXPECT_FALSE(NormalizeIp("", &out));
}

TEST(SyslogDecnet, DoubleWrappedLineIsUnwrapped) {
  DecnetRecord r = ParseOk(
      "<14>1 2026-05-02T06:22:48.089309+00:00 omega-decky 1 - - - "
      " 2026-05-02T06:22:48.089286+00:00 SRV-DELTA-77 bash - command "
      "[timeQuality tzKnown=\"1\" isSynced=\"1\" syncAccuracy=\"326228\"] "
      "CMD uid=0 user=root src=192.168.1.5 pwd=/root cmd=ls /var/www/html");
  EXPECT_TRUE(r.unwrapped);
  EXPECT_EQ(r.event_type, "command");
  EXPECT_EQ(r.decky, "SRV-DELTA-77");
  EXPECT_EQ(r.service, "bash");
  EXPECT_EQ(r.attacker_ip, "192.168.1.5");
  EXPECT_NE(r.msg.find("cmd=ls /var/www/html"), std::string_view::npos);
  EXPECT_EQ(r.command, "ls /var/www/html");
  EXPECT_TRUE(r.fields.empty());
  EXPECT_EQ(r.timestamp, "2026-05-02 06:22:48");
}

TEST(SyslogDecnet, OuterMsgidSetDoesNotRecurse) {
  DecnetRecord r = ParseOk(
      "<134>1 2026-05-02T06:22:48.089309+00:00 omega-decky auth-helper - auth_attempt "
      "[relay@55555 username=\"root\" src_ip=\"192.168.1.5\"] 2026-05-02T06:22:48Z x y - z w");
  EXPECT_FALSE(r.unwrapped);
  EXPECT_EQ(r.event_type, "auth_attempt");
  EXPECT_EQ(r.decky, "omega-decky");
  EXPECT_EQ(r.service, "auth-helper");
}

TEST(SyslogDecnet, NilMsgidWithProseStaysNil) {
  DecnetRecord r = ParseOk(
      "<14>1 2026-05-02T06:22:48.000000+00:00 host app - - - "
      "Failed password for root from 192.168.1.5 port 42772 ssh2");
  EXPECT_EQ(r.event_type, "-");
  EXPECT_EQ(r.attacker_ip, "192.168.1.5");
}

TEST(SyslogDecnet, CmdRewrite) {
  DecnetRecord r =
      ParseOk("<14>1 2026-05-02T06:22:48Z decky bash - - - CMD uid=0 cmd=cat /etc/passwd");
  EXPECT_EQ(r.event_type, "command");
  EXPECT_EQ(r.command, "cat /etc/passwd");
  r = ParseOk(R"(<14>1 - decky bash - command [relay@55555 command="uname -a" src_ip="1.1.1.1"])");
  EXPECT_EQ(r.command, "uname -a");
  // A set MSGID is never rewritten.
  r = ParseOk("<14>1 - decky bash - other - CMD uid=0 cmd=x");
  EXPECT_EQ(r.event_type, "other");
}

TEST(SyslogDecnet, Rfc3164LineBecomesARecord) {
  DecnetRecord r =
      ParseOk("<38>May  2 06:22:48 decky sshd[42]: Failed password for root from 1.2.3.4");
  EXPECT_EQ(r.decky, "decky");
  EXPECT_EQ(r.service, "sshd");
  EXPECT_EQ(r.event_type, "-");
  EXPECT_EQ(r.attacker_ip, "1.2.3.4");
}

TEST(SyslogDecnet, JsonRecordShape) {
  DecnetRecord r = ParseOk(
      "<134>1 2026-04-14T12:00:00Z decky-01 http - request "
      R"([relay@55555 src_ip="10.0.0.1" ua="Mozilla \"x\""] GET /)");
  std::string json;
  AppendJsonRecord(&json, r);
  EXPECT_EQ(json, R"({"timestamp":"2026-04-14 12:00:00","decky":"decky-01","service":"http",)"
                  R"("event_type":"request","attacker_ip":"10.0.0.1",)"
                  R"("fields":{"src_ip":"10.0.0.1","ua":"Mozilla \"x\""},"msg":"GET /",)"
                  R"("raw_line":"<134>1 2026-04-14T12:00:00Z decky-01 http - request )"
                  R"([relay@55555 src_ip=\"10.0.0.1\" ua=\"Mozilla \\\"x\\\"\"] GET /"})");
  rapidjson::Document doc;
  ASSERT_TRUE(json::ParseObject(json, doc));
  EXPECT_EQ(json::GetString(doc["fields"], "ua"), "Mozilla \"x\"");
}

TEST(SyslogDecnet, GarbageIsRejected) {
  DecnetParser p;
  DecnetRecord r;
  EXPECT_FALSE(p.Parse("not a syslog line", &r));
  EXPECT_FALSE(p.Parse("", &r));
}

}  // namespace
}  // namespace decnet::syslog
