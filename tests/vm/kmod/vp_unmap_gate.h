/* SPDX-License-Identifier: MIT */
/*
 * vp_unmap_gate: a test-only mdev whose type1 dma_unmap callback waits at
 * a gate the test opens (tests/vm/kmod/vp_unmap_gate.c).  Put in the same
 * container as a vGPU and opened first, it is called after the vGPU's
 * callback (type1 calls the last registered device first), so the test
 * acts in the window between the vGPU's return and type1's second look
 * for as long as it wants: a peer device whose callback takes time.
 *
 * ioctls on the gate device's VFIO fd:
 *   VP_GATE_ARM      arg 1: callbacks wait at the gate; 0: they pass.
 *   VP_GATE_WAIT     in: a count of callbacks that reached the gate; waits
 *                    (at most VP_GATE_WAIT_MS) until more have, and
 *                    returns the new count and the CLOCK_MONOTONIC time
 *                    the last one arrived.  ETIMEDOUT if none came,
 *                    ENODEV once the gate is disarmed.
 *   VP_GATE_OPEN     lets every waiting callback return.
 *   VP_GATE_STATS    callbacks in all, and those that gave up waiting.
 * A waiting callback gives up after VP_GATE_HOLD_MS; closing the fd
 * disarms the gate and lets every callback through.
 */
#ifndef VP_UNMAP_GATE_H
#define VP_UNMAP_GATE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VP_GATE_WAIT_MS 10000
#define VP_GATE_HOLD_MS 20000

struct vp_gate_wait {
	__u64 parked;  /* in: callbacks seen; out: callbacks now */
	__u64 park_ns; /* out: when the last one reached the gate */
};

struct vp_gate_stats {
	__u64 calls;	/* dma_unmap callbacks */
	__u64 timeouts; /* callbacks that gave up waiting */
};

#define VP_GATE_ARM   _IOW('G', 0x70, __u32)
#define VP_GATE_WAIT  _IOWR('G', 0x71, struct vp_gate_wait)
#define VP_GATE_OPEN  _IO('G', 0x72)
#define VP_GATE_STATS _IOR('G', 0x73, struct vp_gate_stats)

#endif
