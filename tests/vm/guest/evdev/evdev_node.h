/* SPDX-License-Identifier: MIT */
/*
 * The event nodes of the input devices vplane.ko registers per vGPU
 * (driver/ABI.md, "Input devices"), found by their phys
 * (vplane/<uuid>/kbd, vplane/<uuid>/headN). The one lookup the in-guest
 * tests share: vp-evdev-grab (evdev_grab.c) and driver-input.
 */
#ifndef VP_TEST_EVDEV_NODE_H
#define VP_TEST_EVDEV_NODE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Writes the name ("eventN") of the event node whose device's phys is
 * exactly @phys into @event (@len bytes). False, saying nothing, if there
 * is none; the caller says why in its own words.
 */
/* The first line of sysfs file @path, without its newline, into @buf
 * (@len bytes); false (and @buf empty) if it cannot be read. */
bool evdev_sysfs_line(const char *path, char *buf, size_t len);

bool evdev_node_find(const char *phys, char *event, size_t len);

/*
 * Opens /dev/input/<the node of @phys> with O_RDONLY | O_CLOEXEC | @flags
 * and, if @grab, takes EVIOCGRAB as QEMU's input-linux does (vplane.ko
 * passes injected events only while a reader holds the grab). Returns the
 * fd, which the caller owns, or -1 after printing why on stderr.
 */
int evdev_node_open(const char *phys, int flags, bool grab);

#endif
