// The SSH service through FakeConnection: identification handling as OpenSSH answers it, the packet
// layer's bounds, a whole key exchange per cipher/MAC with the host signature verified, strict KEX,
// rekey floods, bad MACs, password auth with its events and MaxAuthTries, and the fuzz entry on
// hostile inputs.
#include "decnet/services/ssh/ssh.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <fstream>

#include "decnet/decoy/testing.h"
#include "decnet/services/ssh/kex.h"
#include "decnet/services/ssh/transport.h"
#include "decnet/services/ssh/wire.h"
#include "ssh_fuzz_entry.h"
#include "ssh_test_client.h"

namespace decnet::services::ssh {
namespace {

using decoy::testing::FakeConnection;
using decoy::testing::ParamOf;
using decoy::testing::TestDecky;
using testing::TestClient;

decoy::PersonaInputs Inputs(std::string distro = "debian") {
  decoy::PersonaInputs in;
  in.distro = std::move(distro);
  in.settings["ssh"]["fail_delay_ms"] = "0";
  in.settings["ssh"]["users"] = "root:toor";
  in.settings["ssh"]["accept"] = "list";
  return in;
}

// One decky (host keys made once per fixture) and one connection at a time.
class SshTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    decky_ = new TestDecky(Inputs());
    // ctest runs every TEST in its own process: the RSA-3072 key is made once per build tree and
    // copied in, instead of once per test.
    const std::string cache = std::string(DECNET_BINARY_DIR) + "/tests/services/ssh/hostkeys";
    mkdir(cache.c_str(), 0700);
    HostKeys::LoadOrCreate(cache);
    const std::string dir = decky_->artifact_dir.substr(0, decky_->artifact_dir.rfind('/'));
    for (const char* f : {"ssh_host_ed25519_key", "ssh_host_rsa_key", "ssh_host_ecdsa_key"}) {
      std::ifstream in(cache + "/" + f, std::ios::binary);
      std::ofstream out(dir + "/" + f, std::ios::binary);
      out << in.rdbuf();
      out.close();
      chmod((dir + "/" + f).c_str(), 0600);
    }
    svc_ = MakeSsh(*decky_->decky).release();
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete decky_;
  }
  void SetUp() override { Open(); }
  void TearDown() override {
    if (session) session->OnClose(decoy::CloseReason::kPeer);
  }
  void Open() {
    if (session) session->OnClose(decoy::CloseReason::kPeer);
    conn = std::make_unique<FakeConnection>(*decky_->decky, 22);
    session = svc_->NewSession(*conn);
    session->OnOpen();
    client = std::make_unique<TestClient>(*conn, *session);
  }
  std::string Health() const {
    std::string j;
    svc_->AddHealth(&j);
    return j;
  }
  static inline TestDecky* decky_ = nullptr;
  static inline decoy::Service* svc_ = nullptr;
  std::unique_ptr<FakeConnection> conn;
  std::unique_ptr<decoy::Session> session;
  std::unique_ptr<TestClient> client;
};

TEST_F(SshTest, SendsThePersonasIdentificationThenKexinitAfterTheClients) {
  EXPECT_EQ(client->ReadIdent(), "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10");
  EXPECT_FALSE(client->Next()) << "sshd waits for the client's identification";
  session->OnData("SSH-2.0-Test\r\n");
  auto k = client->Next();
  ASSERT_TRUE(k);
  KexInit ki;
  ASSERT_TRUE(ParseKexInit(*k, &ki));
  EXPECT_EQ(ki.host_key, "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519");
  EXPECT_TRUE(HasName(ki.kex, "kex-strict-s-v00@openssh.com"));
  EXPECT_EQ(ki.comp_s2c, "none,zlib@openssh.com");
  // HASSHServer of Debian 12's sshd (measured against /usr/sbin/sshd, see ssh_clients.sh).
  const std::string algos = std::string(ki.kex) + ";" + std::string(ki.enc_s2c) + ";" +
                            std::string(ki.mac_s2c) + ";" + std::string(ki.comp_s2c);
  EXPECT_EQ(Md5Hex(algos), "425d29fe50d8e4f5e37efb6e24bcf660");
}

TEST_F(SshTest, GarbageInsteadOfIdentificationIsAnsweredAsOpenSSHDoes) {
  client->ReadIdent();
  session->OnData("GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(conn->Take(), "Invalid SSH identification string.\r\n");
  EXPECT_TRUE(conn->closed);
}

TEST_F(SshTest, ProtocolOneIsRefused) {
  client->ReadIdent();
  session->OnData("SSH-1.5-old\r\n");
  EXPECT_EQ(conn->Take(), "Protocol major versions differ.\r\n");
  EXPECT_TRUE(conn->closed);
}

TEST_F(SshTest, AnOverlongIdentificationIsCutOffAtTheBound) {
  client->ReadIdent();
  std::string big(Transport::kMaxIdentification + 1, 'A');
  session->OnData("SSH-2.0-" + big.substr(0, 4000));
  EXPECT_FALSE(conn->closed) << "still within the bound";
  session->OnData(big);
  EXPECT_EQ(conn->Take(), "Invalid SSH identification string.\r\n");
  EXPECT_TRUE(conn->closed);
}

TEST_F(SshTest, APacketLengthOf2To31IsRefused) {
  client->ReadIdent();
  session->OnData("SSH-2.0-Test\r\n");
  client->Next();
  const std::string before = Health();
  session->OnData(std::string("\x80\x00\x00\x00\x04", 5) + std::string(64, 'x'));
  EXPECT_TRUE(conn->closed);
  auto d = client->Next();
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)[0], 1) << "DISCONNECT";
  EXPECT_NE(Health(), before);
  EXPECT_NE(Health().find("\"ssh_bad_packet_length\":"), std::string::npos);
}

TEST_F(SshTest, KeyExchangeCompletesAndTheHostKeySignatureVerifies) {
  ASSERT_TRUE(client->Handshake());
  EXPECT_TRUE(client->signature_ok);
  auto events = decky_->Events("ssh_kex");
  ASSERT_FALSE(events.empty());
  const std::string& e = events.back();
  EXPECT_EQ(ParamOf(e, "kex"), "curve25519-sha256");
  EXPECT_EQ(ParamOf(e, "host_key"), "ssh-ed25519");
  EXPECT_EQ(ParamOf(e, "cipher"), "chacha20-poly1305@openssh.com");
  EXPECT_EQ(ParamOf(e, "strict_kex"), "true");
  EXPECT_EQ(ParamOf(e, "client_banner"), "SSH-2.0-DecnetTest_1.0");
  EXPECT_EQ(ParamOf(e, "hassh_algorithms"),
            "curve25519-sha256,ext-info-c,kex-strict-c-v00@openssh.com;"
            "chacha20-poly1305@openssh.com;hmac-sha2-256;none");
  EXPECT_EQ(ParamOf(e, "hassh"), Md5Hex(ParamOf(e, "hassh_algorithms")));
}

TEST_F(SshTest, EveryImplementedCipherAndMacCarriesAService) {
  const char* ciphers[] = {"chacha20-poly1305@openssh.com",
                           "aes128-ctr",
                           "aes192-ctr",
                           "aes256-ctr",
                           "aes128-gcm@openssh.com",
                           "aes256-gcm@openssh.com"};
  const char* macs[] = {"hmac-sha2-256",
                        "hmac-sha2-512",
                        "hmac-sha1",
                        "hmac-sha2-256-etm@openssh.com",
                        "hmac-sha2-512-etm@openssh.com",
                        "hmac-sha1-etm@openssh.com"};
  for (const char* c : ciphers) {
    for (const char* m : macs) {
      Open();
      ASSERT_TRUE(client->Handshake(c, m, std::string(c).find("ctr") != std::string::npos))
          << c << " " << m;
      client->Send(Writer().U8(5).Str("ssh-userauth").Take());
      auto a = client->NextReal();
      ASSERT_TRUE(a) << c << " " << m;
      EXPECT_EQ((*a)[0], 6) << c << " " << m;
      if (CipherSpecOf(c).aead) break;  // the MAC is implicit
    }
  }
}

TEST_F(SshTest, ABadMacDisconnects) {
  ASSERT_TRUE(client->Handshake("aes128-ctr", "hmac-sha2-256", true));
  std::string pkt = client->Frame(Writer().U8(5).Str("ssh-userauth").Take());
  pkt.back() ^= 1;
  session->OnData(pkt);
  EXPECT_TRUE(conn->closed);
  EXPECT_NE(Health().find("\"ssh_bad_mac\":"), std::string::npos);
  auto d = client->NextReal();
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)[0], 1);
}

TEST_F(SshTest, StrictKexRefusesAnythingButTheExchangeBeforeNewkeys) {
  session->OnData("SSH-2.0-Test\r\n");
  client->ReadIdent();
  client->Next();
  client->Send(Writer().U8(2).Str("injected").Take());  // IGNORE before KEXINIT
  client->Send(TestClient::KexInit("curve25519-sha256,kex-strict-c-v00@openssh.com", "aes128-ctr",
                                   "hmac-sha1"));
  EXPECT_TRUE(conn->closed) << "KEXINIT was not the first packet";
}

TEST_F(SshTest, WithoutStrictKexAnIgnoreBeforeKexinitIsTolerated) {
  session->OnData("SSH-2.0-Test\r\n");
  client->ReadIdent();
  client->Next();
  client->Send(Writer().U8(2).Str("x").Take());
  client->Send(TestClient::KexInit("curve25519-sha256", "aes128-ctr", "hmac-sha1"));
  EXPECT_FALSE(conn->closed);
}

TEST_F(SshTest, ASecondKexinitDuringAnExchangeDisconnects) {
  session->OnData("SSH-2.0-Test\r\n");
  client->ReadIdent();
  client->Next();
  const std::string k = TestClient::KexInit("curve25519-sha256", "aes128-ctr", "hmac-sha1");
  client->Send(k);
  client->Send(k);
  EXPECT_TRUE(conn->closed);
}

TEST_F(SshTest, RekeyStormIsBoundedAndCounted) {
  ASSERT_TRUE(client->Handshake("aes128-ctr", "hmac-sha1", false));
  uint32_t done = 1;
  while (!conn->closed && done < 100) {
    client->i_c = TestClient::KexInit("curve25519-sha256", "aes128-ctr", "hmac-sha1");
    client->Send(client->i_c);
    auto sk = client->NextReal();
    if (!sk || (*sk)[0] != 20) break;
    client->i_s = *sk;
    if (!client->Exchange("aes128-ctr", "hmac-sha1", false)) break;
    ++done;
  }
  EXPECT_EQ(done, Transport::kMaxKex);
  EXPECT_TRUE(conn->closed);
  EXPECT_NE(Health().find("\"ssh_kex_limit\":"), std::string::npos);
}

TEST_F(SshTest, PasswordAttemptsAreLoggedWithTheExactSecretAndPolicyDecides) {
  ASSERT_TRUE(client->Handshake());
  auto r = client->Password("root", "t\xc3\xabst");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], 51) << "failure";
  Reader fr(std::string_view(*r).substr(1));
  std::string_view methods;
  fr.Str(&methods);
  EXPECT_EQ(methods, "publickey,password");
  auto ev = decky_->Events("login_attempt");
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ParamOf(ev.back(), "secret_b64"), "dMOrc3Q=");
  EXPECT_EQ(ParamOf(ev.back(), "method"), "password");
  EXPECT_EQ(ParamOf(ev.back(), "success"), "false");
  EXPECT_EQ(ParamOf(ev.back(), "client_banner"), "SSH-2.0-DecnetTest_1.0");
  r = client->Password("root", "toor");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], 52) << "success";
  EXPECT_EQ(ParamOf(decky_->Events("login_attempt").back(), "success"), "true");
}

TEST_F(SshTest, SixFailuresEndTheConnectionAsMaxAuthTries) {
  ASSERT_TRUE(client->Handshake());
  for (int i = 0; i < 5; ++i) {
    auto r = client->Password("root", "wrong" + std::to_string(i));
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0], 51);
  }
  auto r = client->Password("root", "wrong5");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], 1) << "DISCONNECT";
  Reader dr(std::string_view(*r).substr(1));
  uint32_t reason = 0;
  std::string_view text;
  dr.U32(&reason);
  dr.Str(&text);
  EXPECT_EQ(reason, 2u);
  EXPECT_EQ(text, "Too many authentication failures");
  EXPECT_TRUE(conn->closed);
}

TEST_F(SshTest, PublickeyOffersAreLoggedWithTheirFingerprintAndRefused) {
  ASSERT_TRUE(client->Handshake());
  client->Password("root", "x");
  uint8_t pk[32] = {1, 2, 3};
  const std::string blob =
      Writer().Str("ssh-ed25519").Str({reinterpret_cast<char*>(pk), 32}).Take();
  client->Send(Writer()
                   .U8(50)
                   .Str("root")
                   .Str("ssh-connection")
                   .Str("publickey")
                   .Bool(false)
                   .Str("ssh-ed25519")
                   .Str(blob)
                   .Take());
  auto r = client->NextReal();
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], 51);
  const std::string e = decky_->Events("login_attempt").back();
  EXPECT_EQ(ParamOf(e, "method"), "publickey");
  EXPECT_EQ(ParamOf(e, "key_type"), "ssh-ed25519");
  EXPECT_EQ(ParamOf(e, "fingerprint"), Sha256Fingerprint(blob));
  EXPECT_EQ(ParamOf(e, "fingerprint").rfind("SHA256:", 0), 0u);
}

// The messages of the server up to and including the channel's CLOSE, by type.
std::vector<std::string> UntilClose(TestClient& c) {
  std::vector<std::string> out;
  while (auto m = c.NextReal()) {
    out.push_back(*m);
    if ((*m)[0] == 97) break;
  }
  return out;
}

TEST_F(SshTest, ExecRunsInTheShellThenExitStatusEofClose) {
  ASSERT_TRUE(client->Handshake());
  ASSERT_EQ((*client->Password("root", "toor"))[0], 52);
  client->Send(Writer().U8(90).Str("session").U32(3).U32(1 << 20).U32(32768).Take());
  auto open = client->NextReal();
  ASSERT_TRUE(open);
  ASSERT_EQ((*open)[0], 91);
  Reader r(std::string_view(*open).substr(1));
  uint32_t recipient = 0, id = 0;
  r.U32(&recipient);
  r.U32(&id);
  EXPECT_EQ(recipient, 3u);
  client->Send(Writer().U8(98).U32(id).Str("env").Bool(true).Str("LANG").Str("C.UTF-8").Take());
  EXPECT_EQ((*client->NextReal())[0], 99) << "AcceptEnv LANG";
  client->Send(Writer().U8(98).U32(id).Str("env").Bool(true).Str("LD_PRELOAD").Str("/x").Take());
  EXPECT_EQ((*client->NextReal())[0], 100) << "other variables refused";
  client->Send(Writer().U8(98).U32(id).Str("exec").Bool(true).Str("uname -r").Take());
  const std::vector<std::string> m = UntilClose(*client);
  ASSERT_GE(m.size(), 5u);
  EXPECT_EQ(m[0][0], 99) << "success before any output";
  std::string data;
  size_t i = 1;
  for (; i < m.size() && m[i][0] == 94; ++i) {
    Reader d(std::string_view(m[i]).substr(5));
    std::string_view chunk;
    d.Str(&chunk);
    data += chunk;
  }
  EXPECT_EQ(data, decky_->persona.kernel() + "\n");
  ASSERT_EQ(m.size(), i + 3);
  Reader x(std::string_view(m[i]).substr(5));
  std::string_view req;
  bool want = true;
  uint32_t status = 99;
  x.Str(&req);
  x.Bool(&want);
  x.U32(&status);
  EXPECT_EQ(req, "exit-status");
  EXPECT_FALSE(want);
  EXPECT_EQ(status, 0u);
  EXPECT_EQ(m[i + 1][0], 96) << "EOF";
  EXPECT_EQ(m[i + 2][0], 97) << "CLOSE";
  EXPECT_EQ(ParamOf(decky_->Events("env").back(), "name"), "LD_PRELOAD");
}

TEST_F(SshTest, ForwardingIsLoggedAndRefused) {
  ASSERT_TRUE(client->Handshake());
  ASSERT_EQ((*client->Password("root", "toor"))[0], 52);
  client->Send(Writer()
                   .U8(90)
                   .Str("direct-tcpip")
                   .U32(5)
                   .U32(65536)
                   .U32(32768)
                   .Str("10.0.0.9")
                   .U32(3306)
                   .Str("127.0.0.1")
                   .U32(5555)
                   .Take());
  auto r = client->NextReal();
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], 92) << "open failure";
  const std::string e = decky_->Events("direct_tcpip").back();
  EXPECT_EQ(ParamOf(e, "target_host"), "10.0.0.9");
  EXPECT_EQ(ParamOf(e, "target_port"), "3306");
  client->Send(Writer().U8(80).Str("tcpip-forward").Bool(true).Str("0.0.0.0").U32(8080).Take());
  r = client->NextReal();
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], 82) << "request failure";
  client->Send(Writer().U8(80).Str("keepalive@openssh.com").Bool(true).Take());
  r = client->NextReal();
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], 82) << "keepalive answered";
}

// zlib@openssh.com: nothing is inflated before the login; after it, a payload that inflates past
// the packet bound (a zlib bomb: 1 MiB of zeros in ~1 KiB) ends the connection, counted.
TEST_F(SshTest, AZlibBombAfterLoginIsCutAtThePacketBound) {
  client->compression = "zlib@openssh.com";
  ASSERT_TRUE(client->Handshake("aes128-ctr", "hmac-sha2-256", true));
  EXPECT_EQ(ParamOf(decky_->Events("ssh_kex").back(), "compression"), "zlib@openssh.com");
  auto ok = client->Password("root", "toor");
  ASSERT_TRUE(ok);
  ASSERT_EQ((*ok)[0], 52) << "USERAUTH_SUCCESS is the last uncompressed message";
  const std::string bomb = Writer().U8(94).U32(0).Str(std::string(1 << 20, '\0')).Take();
  z_stream z{};
  deflateInit(&z, Z_BEST_COMPRESSION);
  std::string packed(compressBound(bomb.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bomb.data()));
  z.avail_in = static_cast<uInt>(bomb.size());
  z.next_out = reinterpret_cast<Bytef*>(packed.data());
  z.avail_out = static_cast<uInt>(packed.size());
  deflate(&z, Z_SYNC_FLUSH);
  packed.resize(packed.size() - z.avail_out);
  deflateEnd(&z);
  ASSERT_LT(packed.size(), 8192u);
  const std::string before = Health();
  client->Send(packed);
  EXPECT_TRUE(conn->closed);
  EXPECT_NE(Health().find("\"ssh_inflate_limit\":1"), std::string::npos) << Health();
  EXPECT_NE(Health(), before);
}

TEST_F(SshTest, HostKeysPersistInTheDeckyDirectory) {
  const std::string dir = decky_->artifact_dir.substr(0, decky_->artifact_dir.rfind('/'));
  struct stat st {};
  ASSERT_EQ(stat((dir + "/ssh_host_ed25519_key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  HostKeys again = HostKeys::LoadOrCreate(dir);
  EXPECT_FALSE(again.created());
  ASSERT_TRUE(client->Handshake());
  EXPECT_EQ(client->host_key_blob, again.ed25519->Blob());
}

TEST(SshWire, ReaderNeverReadsPastItsInput) {
  Reader r(
      std::string_view("\x00\x00\x00\x09"
                       "abc",
                       7));
  std::string_view s;
  EXPECT_FALSE(r.Str(&s));
  EXPECT_FALSE(r.ok());
  uint32_t v = 0;
  EXPECT_FALSE(r.U32(&v));
  EXPECT_EQ(Writer().Mpint(std::string("\x00\x80", 2)).Take(),
            std::string("\x00\x00\x00\x02\x00\x80", 6));
  EXPECT_EQ(Negotiate("a,b,c", "c,b"), "b");
}

TEST(SshFuzzEntry, HostileInputsNeitherCrashNorHang) {
  const std::string cases[] = {
      "",
      "SSH-2.0-x\r\n",
      std::string("SSH-2.0-x\r\n\x00\x00\x00\x0c\x0a\x14", 17),
      std::string("\xff\xff\xff\xff", 4),
      std::string(70000, '\x14'),
      std::string("SSH-2.0-x\r\n") + std::string(1000, '\0'),
  };
  for (const std::string& c : cases) {
    fuzz::SshSessionBytes(reinterpret_cast<const uint8_t*>(c.data()), c.size());
  }
  std::string rnd(4096, '\0');
  for (int i = 0; i < 20; ++i) {
    randombytes_buf(rnd.data(), rnd.size());
    rnd[0] = static_cast<char>(i);
    fuzz::SshSessionBytes(reinterpret_cast<const uint8_t*>(rnd.data()), rnd.size());
  }
}

}  // namespace
}  // namespace decnet::services::ssh
