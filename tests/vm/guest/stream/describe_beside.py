#!/usr/bin/env python3
# Does one head's first viewer delay another head's? Two RTSP
# connections, each digest-authenticated as rtsp_probe.py does: the
# first DESCRIBEs URL1 (whose media then prepares), and 0.2 s later the
# second DESCRIBEs URL2. Each answer's time is measured from its own
# request, so python's start (seconds under TCG) is not in it.
#   describe_beside.py URL1 URL2 USER PASSWORD
# Prints "first status N ms T" and "second status N ms T" (status 0:
# no answer within 60 s).
import hashlib
import re
import socket
import sys
import time
import urllib.parse


def send(sock, url, cseq, auth=None):
    msg = 'DESCRIBE %s RTSP/1.0\r\nCSeq: %d\r\nAccept: application/sdp\r\n' % (
        url, cseq)
    if auth:
        msg += 'Authorization: %s\r\n' % auth
    sock.sendall((msg + '\r\n').encode())


def reply(sock):
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
    fields = lines[0].split() if lines else []
    return (int(fields[1]) if len(fields) > 1 else 0), headers


def digest(headers, user, password, url):
    ch = headers.get('www-authenticate', '')
    realm = re.search(r'realm="([^"]*)"', ch).group(1)
    nonce = re.search(r'nonce="([^"]*)"', ch).group(1)
    md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
    ha1 = md5('%s:%s:%s' % (user, realm, password))
    resp = md5('%s:%s:%s' % (ha1, nonce, md5('DESCRIBE:%s' % url)))
    return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", '
            'response="%s"' % (user, realm, nonce, url, resp))


def main():
    urls, user, password = sys.argv[1:3], sys.argv[3], sys.argv[4]
    socks, auths = [], []
    for url in urls:
        u = urllib.parse.urlparse(url)
        s = socket.create_connection((u.hostname, u.port or 554), timeout=60)
        send(s, url, 1)
        status, headers = reply(s)
        socks.append(s)
        auths.append(digest(headers, user, password, url)
                     if status == 401 else None)
    sent = []
    for i, url in enumerate(urls):
        if i:
            time.sleep(0.2)
        sent.append(time.monotonic())
        send(socks[i], url, 2, auths[i])
    # the second first: its answer must not wait for the first's
    for i, name in ((1, 'second'), (0, 'first')):
        try:
            status, _ = reply(socks[i])
        except OSError:
            status = 0
        print('%s status %d ms %d' % (name, status,
                                      (time.monotonic() - sent[i]) * 1000))


main()
