#!/usr/bin/env python3
# Check frames decoded from a vplaned stream against the frames the guest
# simulator drew (examples/vgpu-sim/draw.c), one by one, as they arrive.
#   ffmpeg ... -f rawvideo -pix_fmt rgb24 - | stream_check.py W H N [HEAD [DIR]]
#   STREAM_CHECK_FORMAT=yuv444p ffmpeg ... -f rawvideo -pix_fmt yuv444p - | ...
# For each decoded frame: read the frame counter and the guest's draw time
# (CLOCK_MONOTONIC ms) from the 16x16 bit blocks at y 16 and y 32 (as many
# low bits as the width shows: 20 at 320), note the receive time on the
# same clock, redraw the guest's frame for that counter and compute the
# PSNR (RGB, every pixel but the first 8 of row 0, which carry the raw
# binary stamp). The first bad frame goes to DIR as bad-decoded.ppm and
# bad-expected.ppm (unreadable.ppm if its counter cannot be read). Prints
# one line per frame
# and "# figure" lines (TAP diagnostics): PSNR min/mean, frames dropped
# (counter gaps), repeats (keep-alive), the receive rate, latency
# p50/p99/max. Exit 1 if a
# frame is under MIN_PSNR dB, a counter cannot be read, or fewer than N
# frames arrived. N = 0: every frame until the stream ends (a client
# stopped after a time, as the benchmark's are).
import os
import sys
import time

import numpy as np

MIN_PSNR = 35.0
BARS = np.array([(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0),
                 (255, 0, 255), (255, 0, 0), (0, 0, 255), (32, 32, 32)],
                dtype=np.uint8)


def read_bits(img, y):
    """32 bits from the block centres of row y..y+15 (white = 1)."""
    w = img.shape[1]
    v = 0
    for i in range(min(32, w // 16)):
        luma = img[y + 8, i * 16 + 8].astype(int).sum() / 3
        if luma > 128:
            v |= 1 << i
        elif luma > 64:
            return None  # neither black nor white: not our stamp
    return v


def expected(w, h, frame, ts_ms, head):
    """draw.c's sim_draw_frame(), minus the raw stamp bytes."""
    x = np.arange(w)
    bar_w = w // 8 or 1
    row = BARS[((x + frame * 4) // bar_w) % 8].copy()
    row[:, 1] >>= head & 1
    img = np.broadcast_to(row, (h, w, 3)).copy()
    box = 64
    span = w - box if w > box else 1
    bx = frame * 7 % (2 * span)
    bx = bx if bx < span else 2 * span - bx
    span = h - box - 48 if h > box + 48 else 1
    by = frame * 5 % (2 * span)
    by = 48 + (by if by < span else 2 * span - by)
    img[by:by + box, bx:bx + box] = (0, 0, 0)
    img[by + 8:by + box - 8, bx + 8:bx + box - 8] = (255, 128, 0)
    for y0, val in ((16, frame), (32, ts_ms)):
        for i in range(32):
            img[y0:y0 + 16, i * 16:i * 16 + 16] = \
                255 if val >> i & 1 else 0
    return img


def yuv444p_to_rgb(data, w, h):
    """RGB of a planar 4:4:4 frame, BT.601 limited range (what vplaned's
    encoder signals and ffmpeg's scaler assumes for it): the same pixels
    as ffmpeg -pix_fmt rgb24 gives, within rounding."""
    p = np.frombuffer(data, dtype=np.uint8).reshape(3, h, w)
    p = p.astype(np.float32)
    y = (p[0] - 16) * (255 / 219.0)
    u = (p[1] - 128) * (255 / 224.0)
    v = (p[2] - 128) * (255 / 224.0)
    rgb = np.stack((y + 1.402 * v, y - 0.344136 * u - 0.714136 * v,
                    y + 1.772 * u), axis=-1)
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def psnr(a, b, mask):
    diff = (a.astype(np.int32) - b.astype(np.int32))[mask]
    mse = float((diff * diff).mean())
    return 99.0 if mse == 0 else 10 * np.log10(255.0 * 255.0 / mse)


def save(path, img):
    with open(path, 'wb') as f:
        f.write(b'P6 %d %d 255\n' % (img.shape[1], img.shape[0]))
        f.write(np.ascontiguousarray(img).tobytes())


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    # STREAM_CHECK_READY=FILE: created once started (numpy loaded), so a
    # viewer can wait for its reader before pulling: under TCG python
    # takes seconds to start, and a client that does not read meanwhile
    # holds a backlog in its own socket that no server can take back
    # STREAM_CHECK_INPUT=FIFO: read the frames from it (opened once
    # ready), not stdin
    ready = os.environ.get('STREAM_CHECK_READY')
    if ready:
        open(ready, 'w').close()
    fifo = os.environ.get('STREAM_CHECK_INPUT')
    # STREAM_CHECK_FORMAT=yuv444p: frames come as the decoder made them
    # (ffmpeg -pix_fmt yuv444p, no scaler) and are converted here, after
    # the stream: under TCG ffmpeg's software RGB conversion costs the
    # viewer several times its decoding, and a viewer slower than the
    # stream holds the difference in its socket as latency
    fmt = os.environ.get('STREAM_CHECK_FORMAT', 'rgb24')
    if fmt not in ('rgb24', 'yuv444p'):
        print('STREAM_CHECK_FORMAT %s: rgb24 or yuv444p' % fmt)
        return 1
    # STREAM_CHECK_T0=FILE: read after the stream, holds when the viewer
    # started pulling (CLOCK_MONOTONIC ms, as /proc/uptime gives it in the
    # guest): the first frame's delay is reported
    t0 = os.environ.get('STREAM_CHECK_T0')
    w, h, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    head = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    dump = sys.argv[5] if len(sys.argv) > 5 else None  # dir for PPMs
    size = w * h * 3
    mask = np.ones((h, w), dtype=bool)
    mask[0, :8] = False
    src = open(fifo, 'rb') if fifo else sys.stdin.buffer
    # First only read and note the receive times: checking a frame takes
    # longer than a frame period under TCG, and a backlog in this pipe
    # would count as latency.
    received = []
    while not n or len(received) < n:
        data = src.read(size)
        if len(data) < size:
            break
        received.append((data, int(time.monotonic() * 1000)))
    frames, psnrs, lat, bad, dumped = [], [], [], 0, False
    for data, recv_ms in received:
        if fmt == 'yuv444p':
            img = yuv444p_to_rgb(data, w, h)
        else:
            img = np.frombuffer(data, dtype=np.uint8).reshape(h, w, 3)
        counter, ts_ms = read_bits(img, 16), read_bits(img, 32)
        if counter is None or ts_ms is None:
            print('frame %d: no readable counter' % len(frames))
            if dump and not dumped:
                dumped = True
                save(dump + '/unreadable.ppm', img)
            bad += 1
            frames.append(None)
            continue
        p = psnr(img, expected(w, h, counter, ts_ms, head), mask)
        # a 320-wide frame shows 20 of the 32 bits: differences modulo
        latency = (recv_ms - ts_ms) & ((1 << min(32, w // 16)) - 1)
        repeat = bool(frames) and frames[-1] == counter
        print('frame %d: counter %d, PSNR %.2f dB, latency %d ms%s' % (
            len(frames), counter, p, latency, ' (repeat)' if repeat else ''))
        if p < MIN_PSNR:
            bad += 1
            if dump and not dumped:  # the first bad frame, for a look
                dumped = True
                save(dump + '/bad-decoded.ppm', img)
                save(dump + '/bad-expected.ppm',
                     expected(w, h, counter, ts_ms, head))
        psnrs.append(p)
        if not repeat:
            lat.append(latency)
        frames.append(counter)
    got = [f for f in frames if f is not None]
    if not got:
        print('# figure stream: no frame decoded')
        return 1
    uniq = sorted(set(got))
    span = uniq[-1] - uniq[0] + 1
    print('# figure stream: %d frames decoded, counters %d..%d: %d distinct, '
          '%d dropped of %d guest frames, %d repeats' % (
              len(frames), uniq[0], uniq[-1], len(uniq), span - len(uniq),
              span, len(got) - len(uniq)))
    print('# figure stream: PSNR min %.2f dB mean %.2f dB (need >= %.0f)' % (
        min(psnrs), sum(psnrs) / len(psnrs), MIN_PSNR))
    if t0 and received and os.path.exists(t0):
        with open(t0) as f:
            start = int(f.read().split()[0])
        print('# figure stream: first frame %d ms after the viewer started' %
              (received[0][1] - start))
    if len(received) > 1 and received[-1][1] > received[0][1]:
        print('# figure stream: %.1f frames/s received' % (
            (len(received) - 1) * 1000.0 /
            (received[-1][1] - received[0][1])))
    if lat:
        print('# figure stream: latency guest draw -> decoded (TCG) p50 %d '
              'ms p99 %d ms max %d ms' % (pct(lat, 50), pct(lat, 99),
                                          max(lat)))
    if len(frames) < n:
        print('only %d of %d frames arrived' % (len(frames), n))
        return 1
    if bad:
        print('%d frame(s) unreadable or under %.0f dB' % (bad, MIN_PSNR))
        return 1
    if sorted(got) != got:
        print('counters went backwards: %r' % got)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
