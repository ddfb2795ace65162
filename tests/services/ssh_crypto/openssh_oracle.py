#!/usr/bin/env python3
"""The smallest SSH-2 peer that lets OpenSSH judge our primitives (one connection).

Server role (OpenSSH's ssh connects):

Key exchange sntrup761x25519-sha512@openssh.com with the encapsulation done by our sntrup761
(svc_ssh_crypto_tool encap): the client decapsulates with OpenSSH's own sntrup761.c, and only if both
sides hold the same KEM key do they compute the same exchange hash, so only then does the client
accept the server's Ed25519 signature. Then aes128-ctr with the MAC under test (umac-64/128, with
or without -etm) computed by our UMAC (svc_ssh_crypto_tool umac): the server checks the client's
tags on SERVICE_REQUEST and USERAUTH_REQUEST, and the client checks ours on SERVICE_ACCEPT.

Client role (we connect to OpenSSH's sshd): our sntrup761 key pair and decapsulation of sshd's
ciphertext; sshd's Ed25519 signature over the exchange hash verifies only if our KEM key equals the
one sshd encapsulated. Then our UMAC tag on SERVICE_REQUEST (sshd drops the connection on a bad
one) and sshd's tag on SERVICE_ACCEPT checked by our UMAC.

usage: openssh_oracle.py TOOL PORTFILE MAC        server role (writes the listening port to PORTFILE)
       openssh_oracle.py TOOL --connect PORT MAC  client role
Prints "kex ok", then "mac ok seq=N" per verified packet; exits 1 on any mismatch, 3 when the
peer closes the connection (it refused us).
"""
import hashlib
import os
import socket
import struct
import subprocess
import sys

from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

TOOL, PORTFILE, MAC = sys.argv[1], sys.argv[2], sys.argv[3]
if PORTFILE == "--connect":  # TOOL --connect PORT MAC
    MAC_PORT, MAC = sys.argv[3], sys.argv[4]
# Negative controls: "kem" flips a bit of our KEM key, "mac" a bit of our tags; the client must refuse.
BREAK = os.environ.get("ORACLE_BREAK", "")
KEX = "sntrup761x25519-sha512@openssh.com"
ETM = MAC.endswith("-etm@openssh.com")
TAG_BYTES = 16 if MAC.startswith("umac-128") else 8
RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def tool(*args):
    return subprocess.run([TOOL, *args], capture_output=True, check=True, text=True).stdout.split()


def u32(n):
    return struct.pack(">I", n)


def string(b):
    return u32(len(b)) + b


def umac(key, seq, data):
    return bytes.fromhex(tool("umac", str(TAG_BYTES), key.hex(), str(seq), data.hex())[0])


def flip(b):
    return bytes([b[0] ^ 1]) + b[1:]


class Conn:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""
        self.seq_in = self.seq_out = 0
        self.keys = None  # (decryptor, encryptor, mac_in_key, mac_out_key) after NEWKEYS

    def read(self, n):
        while len(self.buf) < n:
            d = self.sock.recv(65536)
            if not d:
                raise EOFError("client closed")
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def readline(self):
        while b"\n" not in self.buf:
            d = self.sock.recv(4096)
            if not d:
                raise EOFError("client closed before its version")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def send(self, payload):
        block = 16 if self.keys else 8
        head = 4 if (not self.keys or not ETM) else 0  # etm: the length is outside the cipher
        pad = block - ((head + 1 + len(payload)) % block)
        if pad < 4:
            pad += block
        body = bytes([pad]) + payload + os.urandom(pad)
        length = u32(len(body))
        if not self.keys:
            self.sock.sendall(length + body)
        elif ETM:
            ct = self.keys[1].update(body)
            tag = umac(self.keys[3], self.seq_out, length + ct)
            self.sock.sendall(length + ct + (flip(tag) if BREAK == "mac" else tag))
        else:
            tag = umac(self.keys[3], self.seq_out, length + body)
            tag = flip(tag) if BREAK == "mac" else tag
            self.sock.sendall(self.keys[1].update(length + body) + tag)
        self.seq_out += 1

    def recv(self):
        if not self.keys:
            n = struct.unpack(">I", self.read(4))[0]
            body = self.read(n)
        elif ETM:
            length = self.read(4)
            ct = self.read(struct.unpack(">I", length)[0])
            self.check(self.read(TAG_BYTES), length + ct)
            body = self.keys[0].update(ct)
        else:
            first = self.keys[0].update(self.read(16))
            n = struct.unpack(">I", first[:4])[0]
            plain = first + self.keys[0].update(self.read(n + 4 - 16))
            self.check(self.read(TAG_BYTES), plain)
            body = plain[4:]
        self.seq_in += 1
        return body[1 : len(body) - body[0]]

    def check(self, tag, data):
        if umac(self.keys[2], self.seq_in, data) != tag:
            print(f"FAIL: the client's {MAC} tag at seq={self.seq_in} differs from ours", flush=True)
            sys.exit(1)
        print(f"mac ok seq={self.seq_in}", flush=True)


def parse_strings(b, n):
    out = []
    for _ in range(n):
        ln = struct.unpack(">I", b[:4])[0]
        out.append(b[4 : 4 + ln])
        b = b[4 + ln :]
    return out


def set_keys(c, k, h, server):
    derive = lambda x, n: hashlib.sha512(k + h + x + h).digest()[:n]  # session id = first H
    c2s = Cipher(algorithms.AES(derive(b"C", 16)), modes.CTR(derive(b"A", 16)))
    s2c = Cipher(algorithms.AES(derive(b"D", 16)), modes.CTR(derive(b"B", 16)))
    if server:
        c.keys = (c2s.decryptor(), s2c.encryptor(), derive(b"E", 16), derive(b"F", 16))
    else:
        c.keys = (s2c.decryptor(), c2s.encryptor(), derive(b"F", 16), derive(b"E", 16))


def kexinit():
    lists = [KEX, "ssh-ed25519", "aes128-ctr", "aes128-ctr", MAC, MAC, "none", "none", "", ""]
    return bytes([20]) + os.urandom(16) + b"".join(string(s.encode()) for s in lists) + b"\0" + u32(0)


def kex(c, v_c, v_s):
    i_s = kexinit()
    c.send(i_s)
    i_c = c.recv()
    assert i_c[0] == 20, "expected KEXINIT"
    init = c.recv()
    assert init[0] == 30, "expected KEX_ECDH_INIT"
    q_c = init[5 : 5 + struct.unpack(">I", init[1:5])[0]]
    pk, client_x = q_c[:1158], q_c[1158:]
    ct_hex, kem_hex = tool("encap", pk.hex())
    kem = flip(bytes.fromhex(kem_hex)) if BREAK == "kem" else bytes.fromhex(kem_hex)
    server_x = x25519.X25519PrivateKey.generate()
    ecdh = server_x.exchange(x25519.X25519PublicKey.from_public_bytes(client_x))
    k = string(hashlib.sha512(kem + ecdh).digest())  # K is a string here
    host = ed25519.Ed25519PrivateKey.generate()
    k_s = string(b"ssh-ed25519") + string(host.public_key().public_bytes(*RAW))
    q_s = bytes.fromhex(ct_hex) + server_x.public_key().public_bytes(*RAW)
    h = hashlib.sha512(b"".join(map(string, [v_c, v_s, i_c, i_s, k_s, q_c, q_s])) + k).digest()
    sig = string(b"ssh-ed25519") + string(host.sign(h))
    c.send(bytes([31]) + string(k_s) + string(q_s) + string(sig))
    c.send(bytes([21]))
    assert c.recv()[0] == 21, "expected NEWKEYS (the client rejected the exchange)"
    print("kex ok", flush=True)
    set_keys(c, k, h, server=True)


def client_kex(c, v_c, v_s):
    i_c = kexinit()
    c.send(i_c)
    i_s = c.recv()
    assert i_s[0] == 20, "expected KEXINIT"
    pk_hex, sk_hex = tool("keypair")
    client_x = x25519.X25519PrivateKey.generate()
    q_c = bytes.fromhex(pk_hex) + client_x.public_key().public_bytes(*RAW)
    c.send(bytes([30]) + string(q_c))
    reply = c.recv()
    assert reply[0] == 31, f"expected KEX_ECDH_REPLY, got {reply[0]}"
    k_s, q_s, sig = parse_strings(reply[1:], 3)
    kem = bytes.fromhex(tool("decap", q_s[:1039].hex(), sk_hex)[0])
    kem = flip(kem) if BREAK == "kem" else kem
    ecdh = client_x.exchange(x25519.X25519PublicKey.from_public_bytes(q_s[1039:]))
    k = string(hashlib.sha512(kem + ecdh).digest())
    h = hashlib.sha512(b"".join(map(string, [v_c, v_s, i_c, i_s, k_s, q_c, q_s])) + k).digest()
    host = ed25519.Ed25519PublicKey.from_public_bytes(parse_strings(k_s, 2)[1])
    try:
        host.verify(parse_strings(sig, 2)[1], h)
    except InvalidSignature:
        print("FAIL: sshd's signature does not verify over our exchange hash", flush=True)
        sys.exit(1)
    print("kex ok", flush=True)
    assert c.recv()[0] == 21, "expected NEWKEYS"
    c.send(bytes([21]))
    set_keys(c, k, h, server=False)


def client(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    c = Conn(sock)
    v_c = b"SSH-2.0-DecnetOracle_1.0"
    sock.sendall(v_c + b"\r\n")
    v_s = c.readline()
    while not v_s.startswith(b"SSH-"):
        v_s = c.readline()
    client_kex(c, v_c, v_s)
    c.send(bytes([5]) + string(b"ssh-userauth"))
    try:
        accept = c.recv()
    except EOFError:
        print("sshd closed the connection after our SERVICE_REQUEST", flush=True)
        sys.exit(3)
    assert accept[0] == 6, f"expected SERVICE_ACCEPT, got {accept[0]}"
    print("service accepted", flush=True)
    sock.close()


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(30)
    with open(PORTFILE + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(PORTFILE + ".tmp", PORTFILE)
    sock, _ = srv.accept()
    sock.settimeout(30)
    c = Conn(sock)
    v_s = b"SSH-2.0-DecnetOracle_1.0"
    sock.sendall(v_s + b"\r\n")
    v_c = c.readline()
    kex(c, v_c, v_s)
    req = c.recv()
    assert req[0] == 5, f"expected SERVICE_REQUEST, got {req[0]}"
    c.send(bytes([6]) + string(b"ssh-userauth"))
    auth = c.recv()  # the client read our tag on SERVICE_ACCEPT, or it would not get this far
    assert auth[0] == 50, f"expected USERAUTH_REQUEST, got {auth[0]}"
    print("userauth request received", flush=True)
    sock.close()


if __name__ == "__main__":
    if PORTFILE == "--connect":
        client(int(MAC_PORT))
    else:
        main()
