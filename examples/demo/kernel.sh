#!/bin/bash
# Demo step 1: the kernel is Debian's own, booted under QEMU.
echo "kernel: $(uname -srm)"
echo "booted in $(cut -d' ' -f1 /proc/uptime) s of guest time; host userspace over 9p:"
findmnt -n -o SOURCE,FSTYPE,OPTIONS / | cut -c1-100
