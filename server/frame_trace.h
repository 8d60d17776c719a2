/* SPDX-License-Identifier: MIT */
/*
 * A per-commit timing trace for benchmarks (tests/vm/guest/server/
 * latency.sh): with VPLANED_FRAME_TRACE=FILE in vplaned's environment,
 * each output commit that is later presented or discarded becomes one
 * line of FILE:
 *
 *   <output> <dmabuf_id> <commit_ns> <present_ns> <presented>
 *
 * dmabuf_id is the id of the guest buffer the commit showed (scanned out
 * directly or composited), 0 if the output shows no head; commit_ns is CLOCK_MONOTONIC when
 * wlr_output_commit() began, present_ns the present event's time (for
 * KMS: the page-flip event's vblank timestamp, CLOCK_MONOTONIC), 0 if
 * the frame was discarded. Lines are buffered and written at exit, so the
 * trace costs the frame path no system call.
 */
#ifndef VPD_FRAME_TRACE_H
#define VPD_FRAME_TRACE_H

#include <stdbool.h>

struct vpd_server;
struct vpd_frame_trace;

/* Start tracing if VPLANED_FRAME_TRACE is set: *@out is the trace, or
 * NULL when the variable is unset. False after logging if FILE cannot be
 * created. Call before the backend starts (outputs appear then). */
bool vpd_frame_trace_create(struct vpd_server *server,
			    struct vpd_frame_trace **out);

/* Flush and close. NULL is a no-op. */
void vpd_frame_trace_destroy(struct vpd_frame_trace *trace);

#endif /* VPD_FRAME_TRACE_H */
