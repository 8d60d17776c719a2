#!/bin/bash
# Helpers of the streaming VM tests: source after server_lib.sh.

# rtsp_pull URL N LOG: ffmpeg decodes N frames of URL to raw RGB on
# stdout, its messages appended to LOG. TCP interleaved (one socket, no
# UDP ports to leak); one decoding thread (frame threads add a frame of
# delay each); every decoded frame once (rawvideo's default duplicates
# frames to a constant rate), each written out at once. Probing as a
# normal viewer does, unless PULL_FAST=1: ffmpeg's quickest start (no
# 5 s of buffering before the first frame), for latency figures.
# Killed after PULL_TIMEOUT seconds (default 120 times the slowdown).
rtsp_pull() {
	local probe=(-probesize 200000 -analyzeduration 1000000)
	[ -z "${PULL_FAST:-}" ] ||
		probe=(-fflags nobuffer -flags low_delay -probesize 32 -analyzeduration 0)
	timeout "${PULL_TIMEOUT:-$((120 * ${VPLANE_SLOWDOWN:-1}))}" ffmpeg -nostdin -hide_banner \
		-loglevel "${FFMPEG_LOGLEVEL:-error}" \
		-rtsp_transport tcp "${probe[@]}" -threads 1 \
		-i "$1" -frames:v "$2" -fps_mode passthrough \
		-flush_packets 1 -f rawvideo -pix_fmt rgb24 - 2>>"$3"
}

# proc_cpu_ns PID: CPU time of all the process's threads, ns, from
# /proc/PID/stat (utime + stime in clock ticks; /proc/PID/schedstat is
# finer but counts the main thread only, not GStreamer's threads)
proc_cpu_ns() {
	local stat rest
	stat=$(cat "/proc/$1/stat") || return 1
	rest=${stat##*) } # fields from 3 on; utime, stime are 14, 15
	set -- $rest
	echo $(((${12} + ${13}) * 1000000000 / $(getconf CLK_TCK)))
}

# busy_jiffies: "busy total" jiffies of all the guest's CPUs (/proc/stat)
busy_jiffies() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i;
		print t - $5 - $6, t }' /proc/stat
}
