#include "decnet/decoy/app.h"

#include <gtest/gtest.h>

namespace decnet::decoy {
namespace {

TEST(DeckyName, SafeInPathsUnitsAndSyslog) {
  for (const char* ok : {"web-01", "a", "DB_3.lan"}) EXPECT_TRUE(IsValidDeckyName(ok)) << ok;
  for (const char* bad : {"", "-x", ".hidden", "../etc", "a/b", "a b", "a\nb", "a:b", "a\"b"})
    EXPECT_FALSE(IsValidDeckyName(bad)) << bad;
  EXPECT_FALSE(IsValidDeckyName(std::string(64, 'a')));
}

TEST(PortsFor, OverridesFirstOrNamedPort) {
  const std::vector<PortBinding> http = {{80, Transport::kTcp}, {443, Transport::kTcp}};
  auto p = PortsFor("http", http, "http=8080,ftp=2121");
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)[0].port, 8080);
  EXPECT_EQ((*p)[1].port, 443);
  p = PortsFor("http", http, "http:443=8443");
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)[0].port, 80);
  EXPECT_EQ((*p)[1].port, 8443);
  EXPECT_FALSE(PortsFor("http", http, "http:22=1"));
  EXPECT_FALSE(PortsFor("http", http, "http=70000"));
  EXPECT_FALSE(PortsFor("http", http, "http"));
  EXPECT_TRUE(PortsFor("ftp", {{21, Transport::kTcp}}, "http=x"));  // other services' items are theirs
}

}  // namespace
}  // namespace decnet::decoy
