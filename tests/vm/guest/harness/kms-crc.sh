#!/bin/bash
# vkms loads with overlay, cursor and writeback; its CRC is pixel-exact.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
vp_load_vkms
exec "$VPLANE_BUILD/tests/vm/kms-crc"
