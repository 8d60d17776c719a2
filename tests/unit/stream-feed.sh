#!/bin/bash
# SPDX-License-Identifier: MIT
# stream-feed.sh VP_STREAM_FEED: the host streaming tool keeps drawing and
# pushing frames for as long as it runs. It plays a guest with two buffers
# and draws into one only after GStreamer released it; a buffer that starts
# out marked "held" (uninitialised) stalled it after the first frame. The
# --dump consumer is the real encoder's output, read back with ffprobe.
set -euo pipefail
feed=${1:?usage: stream-feed.sh VP_STREAM_FEED}
secs=3
rate=20
for t in ffprobe; do
	command -v "$t" >/dev/null || {
		echo "FAIL: $t not found (tests/deps.sh installs it)"
		exit 1
	}
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# port 0: any free port (other tests may be serving RTSP)
out=$(timeout $((secs + 30)) "$feed" --no-auth --port 0 --size 128x96 \
	--rate $rate --seconds $secs --dump "$tmp/dump.h264" 2>&1) || {
	echo "$out"
	echo "FAIL: vp-stream-feed failed or hung (timeout: exit 124)"
	exit 1
}
echo "$out"
line=$(grep -E '^vp-stream-feed: [0-9]+ frames drawn' <<<"$out") || {
	echo "FAIL: no frame counts printed"
	exit 1
}
read -r drawn pushed encoded < <(sed -E \
	's/.* ([0-9]+) frames drawn, ([0-9]+) pushed, ([0-9]+) encoded.*/\1 \2 \3/' \
	<<<"$line")
# at least half the frames the rate asks for: TCG VMs share these cores
min=$((secs * rate / 2))
bad=0
for v in drawn:$drawn pushed:$pushed encoded:$encoded; do
	if [ "${v#*:}" -lt "$min" ]; then
		echo "FAIL: ${v#*:} frames ${v%%:*} in ${secs} s at ${rate}/s (want >= $min)"
		bad=1
	fi
done
frames=$(ffprobe -v error -count_frames -select_streams v:0 \
	-show_entries stream=nb_read_frames -of csv=p=0 "$tmp/dump.h264" ||
	echo 0)
echo "stream-feed: ffprobe decodes ${frames} frames of the dump"
if [ "${frames:-0}" -lt "$min" ]; then
	echo "FAIL: the dump decodes to ${frames} frames (want >= $min)"
	bad=1
fi
[ "$bad" = 0 ] && echo "stream-feed: ok (drawn $drawn, pushed $pushed, encoded $encoded)"
exit $bad
