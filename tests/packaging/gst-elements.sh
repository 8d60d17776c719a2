#!/bin/bash
# SPDX-License-Identifier: MIT
# gst-elements.sh [SRC]: the GStreamer elements vplaned (server/, encoders/)
# creates by factory name, read from the sources so an element added there
# is checked without anyone updating a list. One line each:
#   ELEMENT software   made wherever vplaned runs: must be installable
#   ELEMENT hardware   a hardware encoder or its converter: needs the device
#                      (VA, NVENC, V4L2, GL), so not checked in a root
# plus the elements webrtcbin and the RTSP server make inside themselves
# (libnice's ICE, DTLS-SRTP, RTP session and UDP), which a missing package
# (gstreamer1.0-nice) breaks at run time only.
set -euo pipefail
src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
files=$(find "$src/server" "$src/encoders" -name '*.c' \
	-not -path '*/tests/*' -not -path '*/bench/*' | sort)

# the encoder table (encoders/encoder_select.c): { "name", VP_CODEC_*,
# VP_ENCODER_*, hardware, ... }
# shellcheck disable=SC2086
table=$(grep -hoP '\{\s*"\K[a-z0-9]+(?=",\s*VP_CODEC_\w+,\s*VP_ENCODER_\w+,\s*(true|false))' $files || true)
# shellcheck disable=SC2086
hw_encoders=$(grep -hoP '\{\s*"\K[a-z0-9]+(?=",\s*VP_CODEC_\w+,\s*VP_ENCODER_\w+,\s*true)' $files || true)
# gst_element_factory_make("x", ...), its ternaries, and the local
# add(bin, "x") helpers of encoder_chain.c and recording.c
# shellcheck disable=SC2086
made=$(cat $files | tr '\n' ' ' | grep -oP \
	'(gst_element_factory_make|\badd)\([^;"]*"[a-z0-9]+"(\s*:\s*"[a-z0-9]+")?' |
	grep -oP '"\K[a-z0-9]+(?=")' || true)
# converters that exist only to feed a hardware encoder (encoder_chain.c's
# VA, VAAPI, NVENC (GL) and V4L2 branches)
hw_convert="vapostproc vaapipostproc glupload glcolorconvert v4l2convert"
inside="nicesrc nicesink dtlssrtpenc dtlssrtpdec rtpbin rtpfunnel udpsrc udpsink"

for e in $(printf '%s\n' $table $made $inside | sort -u); do
	if printf '%s\n' $hw_encoders $hw_convert | grep -qx "$e"; then
		echo "$e hardware"
	else
		echo "$e software"
	fi
done
