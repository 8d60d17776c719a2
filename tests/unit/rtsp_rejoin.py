#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A viewer that comes as the last one leaves gets the head, never 503.

A head's RTSP media is shared by its viewers and torn down when the last
one leaves. A DESCRIBE that arrives during that teardown must get the
head (a fresh or re-prepared media), not "503 Service Unavailable",
which ffmpeg and most players take as final. vp-stream-feed serves a real
stream (x264, gst-rtsp-server); viewer A plays over interleaved TCP and
hangs up, and viewer B's DESCRIBE is already on its way.

  rtsp_rejoin.py VP_STREAM_FEED
"""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import listeners  # noqa: E402  (Feed, rtsp_request)

ROUNDS = 40


def play(port, url):
    """A viewer that plays: its connection, once the first RTP arrives."""
    s = socket.create_connection(("127.0.0.1", port), 30)
    r = listeners.rtsp_request(
        s, f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\n\r\n", timeout=30)
    assert " 200 " in r.splitlines()[0], r
    r = listeners.rtsp_request(
        s, f"SETUP {url}/stream=0 RTSP/1.0\r\nCSeq: 2\r\n"
        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n", timeout=30)
    assert " 200 " in r.splitlines()[0], r
    session = [l.split(":", 1)[1].split(";")[0].strip()
               for l in r.splitlines() if l.lower().startswith("session:")][0]
    s.sendall(f"PLAY {url} RTSP/1.0\r\nCSeq: 3\r\nSession: {session}\r\n"
              "\r\n".encode())
    s.settimeout(30)
    data = b""
    while b"$" not in data.partition(b"\r\n\r\n")[2]:
        chunk = s.recv(65536)
        assert chunk, "closed before any RTP"
        data += chunk
    return s


def describe(port, url, out):
    try:
        s = socket.create_connection(("127.0.0.1", port), 30)
        out.append(listeners.rtsp_request(
            s, f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\n\r\n",
            timeout=30).splitlines()[0])
        s.close()
    except OSError as e:
        out.append(f"error: {e}")


def main():
    listeners.STREAM_FEED = sys.argv[1]
    feed = listeners.Feed()
    url = f"rtsp://127.0.0.1:{feed.rtsp}/feed/0"
    answers = []
    try:
        for i in range(ROUNDS):
            a = play(feed.rtsp, url)
            out = []
            b = threading.Thread(target=describe, args=(feed.rtsp, url, out))
            # B's request and A's hang-up cross: spread B's over the
            # teardown's few milliseconds from round to round
            delay = (i % 8) * 0.002
            a.close()
            time.sleep(delay)
            b.start()
            b.join(60)
            answers.append(out[0] if out else "no answer")
            # let the media settle before the next round's A
            time.sleep(0.3)
    finally:
        feed.stop()
    bad = [a for a in answers if " 200 " not in a]
    print(f"# figure: {ROUNDS} DESCRIBEs as the last viewer left: "
          f"{ROUNDS - len(bad)} answered 200, {len(bad)} not "
          f"({', '.join(sorted(set(bad)))})")
    if bad:
        print("FAIL: a viewer arriving as the last one left was refused",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
