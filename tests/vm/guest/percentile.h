/* SPDX-License-Identifier: MIT */
/* p50 and p99 of a sample, shared by the guest-side benchmarks. */
#ifndef VP_TEST_PERCENTILE_H
#define VP_TEST_PERCENTILE_H

#include <stdlib.h>

static inline int vp_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts @v (n > 0) in place; nearest-rank p50 and p99. */
static inline void vp_percentiles(double *v, int n, double *p50, double *p99)
{
	qsort(v, n, sizeof(*v), vp_cmp_double);
	*p50 = v[n / 2];
	*p99 = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

#endif /* VP_TEST_PERCENTILE_H */
