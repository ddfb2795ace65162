#!/usr/bin/env python3
# A stand-in for decnet-decky until bin/decnet-decky lands: the same flags (decky_contract.md), enters
# --netns with setns(2), and listens on the services' ports (http answers a page, the TCP ones send a
# banner line, tftp binds UDP 69). Tests point DECNET_DECKY_BIN at it; nothing else uses it.
import ctypes, os, selectors, signal, socket, sys

PORTS = {"http": [(80, "tcp"), (443, "tcp")], "ftp": [(21, "tcp")], "redis": [(6379, "tcp")], "tftp": [(69, "udp")],
         "ssh": [(22, "tcp")], "telnet": [(23, "tcp")], "smb": [(445, "tcp")]}
args, i = {}, 1
while i < len(sys.argv):
    a = sys.argv[i]
    if a.startswith("--") and i + 1 < len(sys.argv):
        args[a[2:]] = sys.argv[i + 1]; i += 2
    else:
        i += 1
if args.get("netns"):
    fd = os.open(args["netns"], os.O_RDONLY)
    if ctypes.CDLL(None, use_errno=True).setns(fd, 0x40000000) != 0:
        sys.exit("setns %s: errno %d" % (args["netns"], ctypes.get_errno()))
sel = selectors.DefaultSelector()
for svc in filter(None, args.get("services", "").split(",")):
    for port, proto in PORTS.get(svc, []):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        if proto == "tcp":
            s.listen(16)
        sel.register(s, selectors.EVENT_READ, (svc, proto))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    for key, _ in sel.select():
        svc, proto = key.data
        if proto == "udp":
            key.fileobj.recvfrom(2048)
            continue
        c, _ = key.fileobj.accept()
        try:
            if svc == "http":
                c.recv(4096)
                body = b"<html><body>It works: " + args.get("decky", "").encode() + b"</body></html>\n"
                c.sendall(b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            else:
                c.sendall(b"220 ready\r\n")
        except OSError:
            pass
        c.close()
