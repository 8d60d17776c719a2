/* SPDX-License-Identifier: MIT */
/*
 * CLOCK_MONOTONIC as one integer: the one clock helper of vplaned, the
 * encoders, the examples and the tests (each used to carry its own copy).
 * Monotonic because every user measures an interval or a deadline, which
 * a wall-clock step must not stretch or shorten.
 */
#ifndef VPLANE_UTIL_MONOTONIC_H
#define VPLANE_UTIL_MONOTONIC_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds since an arbitrary start (boot); never goes back. */
static inline uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The same clock in whole milliseconds. */
static inline uint64_t monotonic_ms(void)
{
	return monotonic_ns() / 1000000u;
}

#endif
