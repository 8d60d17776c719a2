#!/bin/bash
# Demo step 2: real KMS on vkms; its CRC tells exactly what is on screen.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
vp_load_vkms
echo "vkms loaded; its planes, as drm_info reports them:"
drm_info -j /dev/dri/card0 | python3 -c '
import json, sys
for node in json.load(sys.stdin).values():
    for p in node.get("planes", []):
        kind = p.get("properties", {}).get("type", {}).get("value")
        name = {0: "overlay", 1: "primary", 2: "cursor"}.get(kind, "?")
        pid, nfmt = p.get("id"), len(p.get("formats", []))
        print(f"  plane {pid}: {name}, {nfmt} formats")
'
"$VPLANE_BUILD/tests/vm/kms-crc"
