// Each persona's sshd as the distro ships it: identification and KEXINIT lists in OpenSSH's order.
// debian: captured from Debian 12's own sshd (1:9.2p1-2+deb12u10, keys rsa+ecdsa+ed25519, the
// package's sshd_config), byte for byte; the others follow OpenSSH's myproposal.h at that version
// with the distro's changes (Ubuntu and RHEL backported kex-strict for Terrapin; RHEL's
// crypto-policies DEFAULT reorders ciphers and MACs and drops umac-64 and aes192).
#include "decnet/decoy/persona.h"
#include "decnet/services/ssh/transport.h"
#include "decnet/services/ssh/wire.h"

namespace decnet::services::ssh {
namespace {

constexpr const char* kCiphers =
    "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
    "aes256-gcm@openssh.com";
constexpr const char* kMacs =
    "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
    "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
    "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1";
constexpr const char* kHostKeys = "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519";
constexpr const char* kSigAlgs =
    "ssh-ed25519,sk-ssh-ed25519@openssh.com,ssh-rsa,rsa-sha2-256,rsa-sha2-512,ssh-dss,"
    "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
    "sk-ecdsa-sha2-nistp256@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com";

Profile Debian() {
  Profile p;
  p.version = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10";
  p.kex =
      "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
      "curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
      "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
      "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com";
  p.host_keys = kHostKeys;
  p.ciphers = kCiphers;
  p.macs = kMacs;
  p.compression = "none,zlib@openssh.com";
  // Debian's sshd_config: KbdInteractiveAuthentication no.
  p.auth_methods = "publickey,password";
  p.server_sig_algs = kSigAlgs;
  return p;
}

Profile Ubuntu22() {
  Profile p = Debian();
  p.version = "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10";
  p.kex =
      "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
      "ecdh-sha2-nistp521,sntrup761x25519-sha512@openssh.com,diffie-hellman-group-exchange-sha256,"
      "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,"
      "kex-strict-s-v00@openssh.com";
  return p;
}

Profile Ubuntu20() {
  Profile p = Debian();
  p.version = "SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11";
  p.kex =
      "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
      "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
      "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com";
  p.host_keys = "rsa-sha2-512,rsa-sha2-256,ssh-rsa,ecdsa-sha2-nistp256,ssh-ed25519";
  return p;
}

Profile Rhel9(const char* version) {
  Profile p = Debian();
  p.version = version;
  p.kex =
      "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
      "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256,"
      "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,kex-strict-s-v00@openssh.com";
  p.ciphers =
      "aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-ctr,aes128-gcm@openssh.com,"
      "aes128-ctr";
  p.macs =
      "hmac-sha2-256-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-128-etm@openssh.com,"
      "hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha1,umac-128@openssh.com,hmac-sha2-512";
  // RHEL ships KbdInteractiveAuthentication no too, but GSSAPI on.
  p.auth_methods = "publickey,gssapi-keyex,gssapi-with-mic,password";
  return p;
}

Profile Centos7() {
  Profile p = Debian();
  p.version = "SSH-2.0-OpenSSH_7.4";
  p.kex =
      "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
      "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
      "diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha1,"
      "diffie-hellman-group14-sha256,diffie-hellman-group14-sha1,diffie-hellman-group1-sha1";
  p.host_keys = "ssh-rsa,rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519";
  p.ciphers =
      std::string(kCiphers) + ",aes128-cbc,aes192-cbc,aes256-cbc,blowfish-cbc,cast128-cbc,3des-cbc";
  p.auth_methods = "publickey,gssapi-keyex,gssapi-with-mic,password";
  return p;
}

Profile Alpine() {
  Profile p = Debian();
  p.version = "SSH-2.0-OpenSSH_9.6";
  p.kex =
      "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
      "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
      "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
      "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,ext-info-s,"
      "kex-strict-s-v00@openssh.com";
  // Alpine keeps OpenSSH's upstream sshd_config: keyboard-interactive on.
  p.auth_methods = "publickey,password,keyboard-interactive";
  p.keyboard_interactive = true;
  return p;
}

}  // namespace

Profile ProfileFor(const decoy::Persona& persona) {
  const std::string& d = persona.distro();
  Profile p = d == "ubuntu22"                 ? Ubuntu22()
              : d == "ubuntu20"               ? Ubuntu20()
              : d == "rocky9" || d == "alma9" ? Rhel9("SSH-2.0-OpenSSH_8.7")
              : d == "centos7"                ? Centos7()
              : d == "alpine"                 ? Alpine()
                                              : Debian();
  const std::string version = persona.Setting("ssh", "version");
  if (!version.empty()) p.version = version.starts_with("SSH-") ? version : "SSH-2.0-" + version;
  const std::string kbd = persona.Setting("ssh", "kbd_interactive");
  if (kbd == "true" || kbd == "1") {
    p.keyboard_interactive = true;
    if (!HasName(p.auth_methods, "keyboard-interactive")) p.auth_methods += ",keyboard-interactive";
  } else if (kbd == "false" || kbd == "0") {
    p.keyboard_interactive = false;
  }
  return p;
}

}  // namespace decnet::services::ssh
