#!/usr/bin/env python3
# What a viewer can learn from vplaned's RTSP answers (issue 13):
#   rtsp_access.py describe URL [USER PASSWORD]
#     one DESCRIBE (answering the digest challenge with USER PASSWORD if
#     given) and the whole answer, normalised so that two answers can be
#     compared: "status N", every header as "header name: value" (sorted;
#     Date and the challenge's nonce masked), "sdp bytes N", and "ms T",
#     the time the last request took.
#   rtsp_access.py batch DIR < LINES
#     "NAME URL [USER PASSWORD]" a line: each a describe as above (one
#     process: a Python start is seconds under TCG), written to DIR/NAME
#     without its "ms" line, the time to DIR/NAME.ms.
#   rtsp_access.py guess URL USER PASSWORD SECONDS [RIGHT]
#     a password-guessing loop on one connection, as fast as the server
#     answers: a digest with PASSWORD (wrong) for each fresh nonce, for
#     SECONDS. Prints "guesses N" (answers received), "statuses ...",
#     "slowest-ms T". With RIGHT (the right password): then six more
#     wrong guesses and the right one sent at once (pipelined), so the
#     right one arrives while the address's failures are spent; prints
#     "right-while-throttled STATUS".
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
    return read_response(sock)


# bytes received past the answer read last, per socket (pipelining)
pending = {}


def read_response(sock):
    data = pending.pop(sock.fileno(), b'')
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
    pending[sock.fileno()] = body[length:]
    body = body[:length]
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


def describe(url, user=None, password=None, out=sys.stdout):
    sock = connect(url)
    t = time.monotonic()
    status, headers, body = request(sock, url, 1)
    if user is not None and status == 401:
        auth = digest(headers, user, password, url)
        t = time.monotonic()
        status, headers, body = request(sock, url, 2, auth)
    ms = (time.monotonic() - t) * 1000
    sock.close()
    print('status %d' % status, file=out)
    for k, v in sorted(headers):
        if k == 'date':
            v = '<date>'
        v = re.sub(r'nonce="[^"]*"', 'nonce="<nonce>"', v)
        print('header %s: %s' % (k, v), file=out)
    print('sdp bytes %d' % len(body), file=out)
    return ms


def batch(outdir):
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        with open('%s/%s' % (outdir, words[0]), 'w') as out:
            ms = describe(*words[1:4], out=out)
        with open('%s/%s.ms' % (outdir, words[0]), 'w') as out:
            print('%.1f' % ms, file=out)


def guess(url, user, password, seconds, right=None):
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
    if right is None:
        return
    burst = b''
    for i in range(7):
        pw = right if i == 6 else password
        burst += ('DESCRIBE %s RTSP/1.0\r\nCSeq: %d\r\nAuthorization: %s\r\n\r\n'
                  % (url, cseq + i, digest(headers, user, pw, url))).encode()
    sock.sendall(burst)
    for i in range(7):
        status, h, _ = read_response(sock)
        if dict(h).get('cseq') == str(cseq + 6):
            print('right-while-throttled %d' % status)


if sys.argv[1] == 'describe':
    print('ms %.1f' % describe(*sys.argv[2:5]))
elif sys.argv[1] == 'batch':
    batch(sys.argv[2])
else:
    guess(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]),
          sys.argv[6] if len(sys.argv) > 6 else None)
