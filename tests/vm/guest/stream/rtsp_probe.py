#!/usr/bin/env python3
# A raw RTSP DESCRIBE, to see exactly what an unauthenticated or
# wrongly-authenticated client gets (ffmpeg hides the status line).
#   rtsp_probe.py URL [USER PASSWORD]
# Without credentials: one DESCRIBE. With them: DESCRIBE, then a second
# DESCRIBE answering the digest challenge (RFC 2617, as RTSP uses it).
# Prints "status N", "challenge digest" if one was offered, and
# "sdp bytes N" (the media description, i.e. whether media leaked).
import hashlib
import re
import socket
import sys
import urllib.parse


def request(sock, url, cseq, auth=None):
    msg = 'DESCRIBE %s RTSP/1.0\r\nCSeq: %d\r\nAccept: application/sdp\r\n' % (
        url, cseq)
    if auth:
        msg += 'Authorization: %s\r\n' % auth
    sock.sendall((msg + '\r\n').encode())
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b'\r\n\r\n')
    lines = head.decode(errors='replace').split('\r\n')
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(':')
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get('content-length', '0'))
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            break
        body += chunk
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    return status, headers, body


def digest(headers, user, password, url):
    ch = headers.get('www-authenticate', '')
    realm = re.search(r'realm="([^"]*)"', ch).group(1)
    nonce = re.search(r'nonce="([^"]*)"', ch).group(1)
    md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
    ha1 = md5('%s:%s:%s' % (user, realm, password))
    ha2 = md5('DESCRIBE:%s' % url)
    resp = md5('%s:%s:%s' % (ha1, nonce, ha2))
    return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", '
            'response="%s"' % (user, realm, nonce, url, resp))


def main():
    url = sys.argv[1]
    u = urllib.parse.urlparse(url)
    sock = socket.create_connection((u.hostname, u.port or 554), timeout=20)
    status, headers, body = request(sock, url, 1)
    if len(sys.argv) > 3 and status == 401:
        status, headers, body = request(
            sock, url, 2, digest(headers, sys.argv[2], sys.argv[3], url))
    print('status %d' % status)
    if headers.get('www-authenticate', '').lower().startswith('digest'):
        print('challenge digest')
    print('sdp bytes %d' % len(body))


main()
