#!/usr/bin/env python3
# What a viewer can learn from vplaned's RTSP answers (issue 13):
#   rtsp_access.py describe URL [USER PASSWORD]
#     one DESCRIBE (answering the digest challenge with USER PASSWORD if
#     given) and the whole answer, normalised so that two answers can be
#     compared: "status N", every header as "header name: value" (sorted;
#     Date and the challenge's nonce masked), "sdp bytes N", and "ms T",
#     the time the last request took.
#   rtsp_access.py guess URL USER PASSWORD SECONDS
#     a password-guessing loop on one connection, as fast as the server
#     answers: a digest with PASSWORD (wrong) for each fresh nonce, for
#     SECONDS. Prints "guesses N" (answers received), "statuses ...",
#     "slowest-ms T".
import hashlib
import re
import socket
import sys
import time
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
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(':')
        headers.append((k.strip().lower(), v.strip()))
    length = int(dict(headers).get('content-length', '0'))
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            break
        body += chunk
    words = lines[0].split() if lines else []
    status = int(words[1]) if len(words) > 1 else 0
    return status, headers, body


def digest(headers, user, password, url):
    ch = dict(headers).get('www-authenticate', '')
    realm = re.search(r'realm="([^"]*)"', ch).group(1)
    nonce = re.search(r'nonce="([^"]*)"', ch).group(1)
    md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
    ha1 = md5('%s:%s:%s' % (user, realm, password))
    ha2 = md5('DESCRIBE:%s' % url)
    resp = md5('%s:%s:%s' % (ha1, nonce, ha2))
    return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", '
            'response="%s"' % (user, realm, nonce, url, resp))


def connect(url):
    u = urllib.parse.urlparse(url)
    return socket.create_connection((u.hostname, u.port or 554), timeout=30)


def describe(url, user=None, password=None):
    sock = connect(url)
    t = time.monotonic()
    status, headers, body = request(sock, url, 1)
    if user is not None and status == 401:
        auth = digest(headers, user, password, url)
        t = time.monotonic()
        status, headers, body = request(sock, url, 2, auth)
    ms = (time.monotonic() - t) * 1000
    print('status %d' % status)
    for k, v in sorted(headers):
        if k == 'date':
            v = '<date>'
        v = re.sub(r'nonce="[^"]*"', 'nonce="<nonce>"', v)
        print('header %s: %s' % (k, v))
    print('sdp bytes %d' % len(body))
    print('ms %.1f' % ms)


def guess(url, user, password, seconds):
    sock = connect(url)
    status, headers, _ = request(sock, url, 1)
    n, cseq, slowest, statuses = 0, 2, 0.0, {}
    end = time.monotonic() + seconds
    while time.monotonic() < end and status == 401:
        t = time.monotonic()
        status, headers, _ = request(sock, url, cseq,
                                     digest(headers, user, password, url))
        slowest = max(slowest, time.monotonic() - t)
        statuses[status] = statuses.get(status, 0) + 1
        n += 1
        cseq += 1
    print('guesses %d' % n)
    print('statuses %s' % ' '.join('%d:%d' % kv for kv in sorted(statuses.items())))
    print('slowest-ms %.0f' % (slowest * 1000))


if sys.argv[1] == 'describe':
    describe(*sys.argv[2:5])
else:
    guess(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
