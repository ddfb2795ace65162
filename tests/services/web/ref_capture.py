#!/usr/bin/env python3
"""Sends the same raw requests to a server and prints each exchange, so the decky's http service can be
compared byte for byte with the real nginx / Apache (run each on a loopback port with its own config,
the decky with --ports http=PORT, and diff the outputs with Date/ETag/Last-Modified masked).
Usage: ref_capture.py HOST PORT [case ...]"""
import socket, sys, time

LONG = "a" * 9000
CASES = {
    "get": b"GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: t\r\n\r\n",
    "404": b"GET /nope.php HTTP/1.1\r\nHost: h\r\n\r\n",
    "head": b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n",
    "post": b"POST /login HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 27\r\n\r\nusername=admin&password=pw1",
    "postroot": b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
    "options": b"OPTIONS / HTTP/1.1\r\nHost: h\r\n\r\n",
    "optstar": b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
    "foo": b"FOO / HTTP/1.1\r\nHost: h\r\n\r\n",
    "delete": b"DELETE / HTTP/1.1\r\nHost: h\r\n\r\n",
    "garbage": b"hello world\r\n\r\n",
    "lower": b"get / HTTP/1.1\r\nHost: h\r\n\r\n",
    "traversal": b"GET /../../etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n",
    "longuri": ("GET /" + LONG + " HTTP/1.1\r\nHost: h\r\n\r\n").encode(),
    "bighdr": ("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + LONG + "\r\n\r\n").encode(),
    "bigbody": b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000000\r\n\r\n",
    "http2": b"GET / HTTP/2.0\r\nHost: h\r\n\r\n",
    "http3": b"GET / HTTP/3.1\r\nHost: h\r\n\r\n",
    "http10": b"GET / HTTP/1.0\r\n\r\n",
    "http10ka": b"GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "nohost": b"GET / HTTP/1.1\r\n\r\n",
    "pipeline": b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
    "close": b"GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    "htaccess": b"GET /.htaccess HTTP/1.1\r\nHost: h\r\n\r\n",
    "dir403": b"GET /sub/ HTTP/1.1\r\nHost: h\r\n\r\n",
    "dirredir": b"GET /sub HTTP/1.1\r\nHost: h\r\n\r\n",
    "auth": b"GET /admin HTTP/1.1\r\nHost: h\r\nAuthorization: Basic YWRtaW46cHc=\r\n\r\n",
    "http09": b"GET /\r\n",
    "chunked": b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "badchunk": b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "nul": b"GET /\x00 HTTP/1.1\r\nHost: h\r\n\r\n",
    "trace": b"TRACE / HTTP/1.1\r\nHost: h\r\n\r\n",
    "put": b"PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\na",
}

def run(host, port, req):
    s = socket.create_connection((host, port))
    s.sendall(req)
    s.settimeout(0.6)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                out += b"<<EOF>>"
                break
            out += b
    except socket.timeout:
        out += b"<<OPEN>>"
    s.close()
    return out

host, port = sys.argv[1], int(sys.argv[2])
for name in sys.argv[3:] or CASES:
    r = run(host, port, CASES[name])
    print("=== %s" % name)
    sys.stdout.write(r.decode("latin-1").replace("\r", "\\r"))
    print()
