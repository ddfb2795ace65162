#!/bin/sh
# The least a Python DECNET worker costs: an interpreter with asyncio, sqlite3, ssl and json imported.
exec python3 -c '
import asyncio, sqlite3, ssl, json, os, socket, signal
p = os.environ.get("NOTIFY_SOCKET")
if p:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"READY=1", p); s.close()
signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
while True: signal.pause()
'
