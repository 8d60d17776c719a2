#!/bin/bash
# Kiosk (vplaned --backend drm on vkms, connector mode 1024x768) when the
# guest's mode is not the connector's, and when the guest changes mode
# mid-run (vplane-sim --mode-switch: head off, new mode, head on):
#   kiosk.sh letterbox  1024x768 -> 512x300: direct scanout, then the head
#                       scaled 2x to 1024x600 and letterboxed (black bars of
#                       84 rows), composited
#   kiosk.sh mode       512x300 -> 1024x768: letterboxed, then direct
#                       scanout again once the size matches
#   kiosk.sh edid       as mode, but the VMM changes the EDID
#                       (vplane-sim --edid-switch: link down, new EDID
#                       preferring 1024x768, link up) and the guest reads
#                       it from its EDID window and modesets to it
# Each ends on the simulator holding its last frame; vkms's CRC of vplaned's
# screen must equal the CRC of the expected image (the guest's frame read
# through its display node, placed as vplaned places it) shown through a
# dumb buffer. 512x300 is chosen so the scale is an exact 2 (wlroots 0.15's
# pixman renderer samples nearest): every expected pixel is known exactly.
set -e
test=kiosk-$1
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
. "$VPLANE_SRC/tests/vm/guest/server/kiosk_lib.sh"
[ -x "$EXPECT" ] || { echo "vp-scanout-expect not built"; exit 77; }

case $1 in
letterbox) from=1024x768 to=512x300 switch=--mode-switch ;;
mode) from=512x300 to=1024x768 switch=--mode-switch ;;
edid) from=512x300 to=1024x768 switch=--edid-switch ;;
*) echo "usage: kiosk.sh letterbox|mode|edid"; exit 2 ;;
esac

kiosk_start
if [ "$1" = edid ]; then
	# the VMM refuses a monitor the vGPU type cannot drive
	! "$SIM" --uuid "$uuid" --edid-switch 1:4000x3000 --frames 2 \
		>"$R/sim-big.log" 2>&1 || fail "an EDID above the type's limits was taken"
	grep -q 'takes at most' "$R/sim-big.log" ||
		fail "no clear error for an EDID too large: $(cat "$R/sim-big.log")"
fi
"$SIM" --uuid "$uuid" --mode $from $switch 8:$to --frames 16 --hold \
	--rate 4 --no-cursor >"$R/sim.log" 2>&1 &
sim_pid=$!
wait_sim_log "holding frame" 90
grep -q "^mode $to" "$R/sim.log" || fail "the simulator did not switch to $to"
if [ "$1" = edid ]; then
	# the guest's mode came from the EDID it read back; the driver
	# latched it (connected, head at the new mode) and told vplaned:
	# MODE events for the first enable at $from and again after the
	# EDID cycle (link down, link up, head off and on: 4 or 5 events
	# were seen in all, the first enable not always among them;
	# the CRC and direct-scanout checks below show vplaned followed;
	# vplaned's count, mode_events, is read once held_crc_check saved it)
	grep -q "^edid $to" "$R/sim.log" ||
		fail "the guest did not read $to from the EDID: $(cat "$R/sim.log")"
	stats=/sys/kernel/debug/vplane/$uuid/stats
	grep -q '^head0.connected 1$' "$stats" || fail "head 0 not connected: $(cat "$stats")"
	grep -q "^head0.mode $to@" "$stats" || fail "head 0 not at $to: $(grep head0.mode "$stats")"
	driver_mode=$(grep head0.mode "$stats")
fi
held_crc_check "$1"
if [ "$1" = edid ]; then
	modes=$(kiosk_stat mode_events)
	echo "# kiosk edid: ${modes:-?} MODE events at vplaned, driver $driver_mode"
	[ "${modes:-0}" -ge 2 ] || fail "vplaned saw ${modes:-no} MODE events, want at least 2 (enable, the EDID cycle)"
fi
direct=$(frames_of direct) comp=$(frames_of composited)
echo "# kiosk $1: $from -> $to: $direct direct / $comp composited frames"
# the order of vplaned's choices for the guest's buffers: runs of direct
# scanout and of refusals (composited) alternate, so their counts and
# the last choice give the sequence (the composited frame counter also
# counts the placeholder's)
kiosk_choices >"$R/choices.txt" || fail "direct scanout counters missing or inconsistent: $(cat "$R/stats-held.txt")"
echo "# vplaned: $(tr '\n' ' ' <"$R/choices.txt")"
case $1 in
letterbox)
	[ "$(head -n 1 "$R/choices.txt")" = direct ] ||
		fail "no direct scanout at $from (the connector's size)"
	[ "$(tail -n 1 "$R/choices.txt")" = composited ] ||
		fail "not composited at $to"
	;;
mode | edid)
	[ "$(tail -n 1 "$R/choices.txt")" = direct ] ||
		fail "no direct scanout after the switch to $to"
	grep -q composited "$R/choices.txt" || fail "$from was not composited"
	;;
esac
