#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One frame decoded from a vplaned RTSP stream is the guest's: the
simulator's frame counter reads back from it and it matches the frame
examples/vgpu-sim draws for that counter (tests/vm/guest/stream/
stream_check.py redraws it) at MIN_PSNR dB or better.

    ffmpeg ... -frames:v 1 -f rawvideo -pix_fmt rgb24 - | stream_frame.py W H

The stream is lossy 4:2:0 H.264 (the VDI unit's defaults), so the bar
is a PSNR, 30 dB: x264 at 4:2:0 gives this pattern ~44 dB on the host,
the frame of the neighbouring counter (bars 4 pixels and the box 7 pixels
away) 12 dB, a black frame 3 dB.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "stream"))
from stream_check import expected, psnr, read_bits  # noqa: E402

MIN_PSNR = 30.0


def main():
    if len(sys.argv) != 3:
        print("usage: stream_frame.py W H < RGB24 frame")
        return 2
    w, h = int(sys.argv[1]), int(sys.argv[2])
    data = sys.stdin.buffer.read(w * h * 3)
    if len(data) < w * h * 3:
        print("no frame: %d of %d bytes" % (len(data), w * h * 3))
        return 1
    img = np.frombuffer(data, dtype=np.uint8).reshape(h, w, 3)
    counter, ts_ms = read_bits(img, 16), read_bits(img, 32)
    if counter is None or ts_ms is None:
        print("no readable frame counter: not the guest's frame")
        return 1
    mask = np.ones((h, w), dtype=bool)
    mask[0, :8] = False  # the raw binary stamp
    p = psnr(img, expected(w, h, counter, ts_ms, 0), mask)
    print("frame %d, PSNR %.2f dB against the guest's (need >= %.0f)" %
          (counter, p, MIN_PSNR))
    return 0 if p >= MIN_PSNR else 1


if __name__ == "__main__":
    sys.exit(main())
