#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Over rtsps://, DESCRIBE (digest) then SETUP asking for each transport:
# under TLS only RTP interleaved in the TLS connection may be set up;
# UDP (unicast or multicast) would send the media unencrypted.
#   rtsps_setup.py URL USER PASSWORD TRANSPORT...
# Prints "setup TRANSPORT: status N" per transport.
import hashlib
import re
import socket
import ssl
import sys
import urllib.parse


def request(sock, method, url, cseq, extra=''):
    sock.sendall(('%s %s RTSP/1.0\r\nCSeq: %d\r\n%s\r\n' %
                  (method, url, cseq, extra)).encode())
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
    parts = lines[0].split() if lines else []
    return (int(parts[1]) if len(parts) > 1 else 0), headers


def authorization(challenge, user, password, method, url):
    realm = re.search(r'realm="([^"]*)"', challenge).group(1)
    nonce = re.search(r'nonce="([^"]*)"', challenge).group(1)
    md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
    resp = md5('%s:%s:%s' % (md5('%s:%s:%s' % (user, realm, password)),
                             nonce, md5('%s:%s' % (method, url))))
    return ('Authorization: Digest username="%s", realm="%s", nonce="%s", '
            'uri="%s", response="%s"\r\n' % (user, realm, nonce, url, resp))


def main():
    url, user, password = sys.argv[1:4]
    u = urllib.parse.urlparse(url)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    for transport in sys.argv[4:]:
        with ctx.wrap_socket(socket.create_connection(
                (u.hostname, u.port), timeout=120)) as sock:
            status, h = request(sock, 'DESCRIBE', url, 1)
            challenge = h.get('www-authenticate', '')
            if status == 401:
                status, h = request(sock, 'DESCRIBE', url, 2, authorization(
                    challenge, user, password, 'DESCRIBE', url))
            if status != 200:
                print('describe: status %d' % status)
                sys.exit(1)
            track = url + '/stream=0'
            status, h = request(
                sock, 'SETUP', track, 3, 'Transport: %s\r\n' % transport +
                authorization(challenge, user, password, 'SETUP', track))
            print('setup %s: status %d' % (transport, status))


main()
