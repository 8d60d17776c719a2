#!/bin/bash
# Demo step 2: real KMS on vkms; its CRC tells exactly what is on screen.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
vp_load_vkms
echo "vkms loaded; its planes (drm_info):"
drm_info /dev/dri/card0 | grep -E 'Plane [0-9]+|"type": (Primary|Overlay|Cursor)|^│ +├───Driver' | sed 's/^[│ ├└─]*/  /'
"$VPLANE_BUILD/tests/vm/kms-crc"
