#!/usr/bin/env python3
# What a WebRTC viewer's WebSocket gets (issue 13), with no browser:
#   ws_probe.py HOST:PORT PATH [TOKEN] [--offer SECONDS]
# Opens ws://HOST:PORT/ws/PATH?token=TOKEN and prints "status N" (101:
# upgraded) and then, from the first frame the server sends, "close CODE
# REASON" or "message" (signalling started: the head is being offered),
# or "open" if the connection stayed open without a frame for 20 s (a
# viewer accepted, its offer not ready yet: slow under TCG).
# With --offer, it waits up to SECONDS for vplaned's SDP offer instead
# (answering pings) and prints "offer after S s" from the upgrade, or
# "close ..." or "no offer in S s".
import base64
import os
import socket
import struct
import sys
import time


def read_exact(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frame(sock):
    b0, b1 = read_exact(sock, 2)
    n = b1 & 0x7f
    if n == 126:
        n = struct.unpack('>H', read_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack('>Q', read_exact(sock, 8))[0]
    return b0 & 0x0f, read_exact(sock, n)


def print_close(payload):
    code = struct.unpack('>H', payload[:2])[0] if len(payload) >= 2 else 0
    print('close %d %s' % (code, payload[2:].decode(errors='replace')))


def wait_offer(sock, seconds):
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        sock.settimeout(max(0.1, seconds - (time.monotonic() - start)))
        try:
            op, payload = read_frame(sock)
        except (socket.timeout, EOFError):
            break
        if op == 8:
            print_close(payload)
            return
        if op == 9:  # a ping: the pong, masked as a client's frames are
            mask = os.urandom(4)
            sock.sendall(bytes([0x8a, 0x80 | len(payload)]) + mask +
                         bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        elif op == 1 and b'"offer"' in payload:
            print('offer after %.1f s' % (time.monotonic() - start))
            return
    print('no offer in %d s' % seconds)


def main():
    offer = None
    if '--offer' in sys.argv:
        i = sys.argv.index('--offer')
        offer = float(sys.argv[i + 1])
        del sys.argv[i:i + 2]
    host, port = sys.argv[1].rsplit(':', 1)
    path = '/ws/' + sys.argv[2]
    if len(sys.argv) > 3:
        path += '?token=' + sys.argv[3]
    sock = socket.create_connection((host, int(port)), timeout=60)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(('GET %s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\n'
                  'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n'
                  'Sec-WebSocket-Key: %s\r\n\r\n' % (path, sys.argv[1], key)).encode())
    head = b''
    while b'\r\n\r\n' not in head:
        chunk = sock.recv(1)
        if not chunk:
            break
        head += chunk
    words = head.split(b'\r\n')[0].split()
    status = int(words[1]) if len(words) > 1 else 0
    print('status %d' % status)
    if status != 101:
        return
    if offer is not None:
        wait_offer(sock, offer)
        return
    sock.settimeout(20)
    try:
        b0, b1 = read_exact(sock, 2)
    except socket.timeout:
        print('open')
        return
    n = b1 & 0x7f
    if n == 126:
        n = struct.unpack('>H', read_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack('>Q', read_exact(sock, 8))[0]
    payload = read_exact(sock, n)
    if b0 & 0x0f == 8:
        code = struct.unpack('>H', payload[:2])[0] if len(payload) >= 2 else 0
        print('close %d %s' % (code, payload[2:].decode(errors='replace')))
    else:
        print('message')


main()
