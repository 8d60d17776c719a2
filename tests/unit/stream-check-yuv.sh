#!/bin/bash
# SPDX-License-Identifier: MIT
# stream-check-yuv.sh VP_STREAM_FEED: the demo's viewers hand the checker
# (tests/vm/guest/stream/stream_check.py) the decoder's own planar 4:4:4
# pixels, not RGB: under TCG ffmpeg's software RGB conversion cost the
# viewer most of its time and the stream queued in its socket (seconds of
# latency). The checker's own conversion must find every frame's counter
# and the same PSNR as ffmpeg's RGB does, on vplaned's real encoder output
# (vp-stream-feed --chroma444 draws the simulator's stamped frames); the
# same bytes read as RGB must fail (the check sees a wrong format).
set -euo pipefail
feed=${1:?usage: stream-check-yuv.sh VP_STREAM_FEED}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
check=$src/tests/vm/guest/stream/stream_check.py
W=320 H=240 N=20
for t in ffmpeg ffprobe /usr/bin/python3; do
	command -v "$t" >/dev/null || {
		echo "FAIL: $t not found (tests/deps.sh installs it)"
		exit 1
	}
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# port 0: any free port (other tests may be serving RTSP)
timeout 60 "$feed" --no-auth --port 0 --size ${W}x$H --rate 10 \
	--seconds 2 --chroma444 --dump "$tmp/feed.h264" >"$tmp/feed.log" 2>&1 || {
	cat "$tmp/feed.log"
	echo "FAIL: vp-stream-feed failed or hung (timeout: exit 124)"
	exit 1
}
# the frames the encoder gave out (a loaded host drops some: the queues
# are bounded in time), at most N and no fewer than half
got=$(ffprobe -v error -count_frames -select_streams v:0 \
	-show_entries stream=nb_read_frames -of csv=p=0 "$tmp/feed.h264")
[ "${got:-0}" -ge $((N / 2)) ] || {
	cat "$tmp/feed.log"
	echo "FAIL: the dump holds ${got:-no} frames, want at least $((N / 2))"
	exit 1
}
[ "$got" -ge $N ] || N=$got
for fmt in rgb24 yuv444p; do
	ffmpeg -nostdin -loglevel error -threads 1 -i "$tmp/feed.h264" \
		-frames:v $N -fps_mode passthrough -f rawvideo -pix_fmt $fmt \
		"$tmp/$fmt.raw"
	STREAM_CHECK_FORMAT=$fmt /usr/bin/python3 "$check" $W $H $N 0 "$tmp" \
		<"$tmp/$fmt.raw" >"$tmp/$fmt.txt" || {
		cat "$tmp/$fmt.txt"
		echo "FAIL: the checker rejects $N frames given as $fmt"
		exit 1
	}
	grep '^# figure' "$tmp/$fmt.txt" | sed "s/^/$fmt: /"
done
# the same counters, PSNR within 0.1 dB of ffmpeg's RGB, frame by frame
pairs() { sed -n 's/^frame [0-9]*: counter \([0-9]*\), PSNR \([0-9.]*\) dB.*/\1 \2/p' "$1"; }
paste -d' ' <(pairs "$tmp/rgb24.txt") <(pairs "$tmp/yuv444p.txt") |
	awk -v n=$N '{ d = $2 - $4; if ($1 != $3 || d > 0.1 || d < -0.1) bad++ }
	     END { if (NR != n || bad) { print "FAIL: " bad + 0 " of " NR " frames differ"; exit 1 } }'
if STREAM_CHECK_FORMAT=rgb24 /usr/bin/python3 "$check" $W $H $N 0 \
	<"$tmp/yuv444p.raw" >"$tmp/wrong.txt"; then
	echo "FAIL: planar 4:4:4 read as RGB passed the check"
	exit 1
fi
echo "PASS: $N frames checked as rgb24 and as yuv444p alike; yuv444p read as RGB fails"
