// SPDX-License-Identifier: MIT
/*
 * vp-flip-latency: guest flip to KMS present, for latency.sh.
 *
 *   vp-flip-latency observe --uuid UUID
 *     Follows head 0 of the vGPU's display node as an observer (it never
 *     takes the ack role, so it changes nobody's pacing) and prints one
 *     line per primary-plane flip until SIGTERM:
 *       flip <seq> <dmabuf_id> <timestamp_ns>
 *     timestamp_ns is the driver's CLOCK_MONOTONIC stamp taken when the
 *     guest's flip doorbell write latched the plane: the guest's flip.
 *     It is there whichever way vplaned reads the vGPU (display node
 *     events or VFIO polling), so both paths are timed from one clock.
 *
 *   vp-flip-latency match FLIPS TRACE [SKIP]
 *     Pairs the flips (FLIPS, from observe) with vplaned's commits
 *     (TRACE, VPLANED_FRAME_TRACE: see server/frame_trace.h) and prints
 *       latency n=<frames> dropped=<d> present_p50_ms=.. present_p99_ms=..
 *         commit_p50_ms=.. commit_p99_ms=..
 *     after skipping the first SKIP flips (warm-up). Flip k of buffer B
 *     at t_k is shown by the first presented commit that shows B and
 *     began at or after t_k; only a commit before flip k+2
 *     (the guest's next flip of the same double-buffered B) counts,
 *     later is "dropped" (the consumer never showed frame k). The guest
 *     must flip well below the output's refresh for the pairing to hold
 *     (a poll before t_{k-1} committed after t_k would pass for frame
 *     k): latency.sh flips at a third of it or less.
 * Exit 1 with a reason on error (no frames paired counts as one).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vplane/display.h>

#include "../percentile.h"

static volatile sig_atomic_t stop;

static void handle_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void handle_flip(void *data, const struct vplane_display_event *ev)
{
	(void)data;
	if (ev->head != 0 || ev->plane != VPLANE_DISPLAY_PLANE_PRIMARY ||
	    !ev->dmabuf_id)
		return;
	printf("flip %u %u %llu\n", ev->seq, ev->dmabuf_id,
	       (unsigned long long)ev->timestamp_ns);
	fflush(stdout);
}

static void handle_gone(void *data)
{
	(void)data;
	stop = 1;
}

static const struct vp_display_listener listener = {
	.flip = handle_flip,
	.gone = handle_gone,
};

static int observe(const char *uuid)
{
	struct sigaction sa = { .sa_handler = handle_signal };
	struct vp_display *display = vp_display_create_from_uuid(uuid);

	if (!display) {
		fprintf(stderr, "cannot open /dev/vplane/%s: %s\n", uuid,
			strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop) {
		struct pollfd pfd = { .fd = vp_display_get_fd(display),
				      .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			break;
		}
		if (!vp_display_dispatch(display, &listener, NULL)) {
			fprintf(stderr, "reading display events failed\n");
			vp_display_destroy(display);
			return 1;
		}
	}
	vp_display_destroy(display);
	return 0;
}

struct flip {
	uint32_t dmabuf_id;
	uint64_t t;
};

struct commit {
	uint32_t dmabuf_id;
	uint64_t commit_ns, present_ns;
};

/* Read "flip seq id ns" lines; NULL after saying why. */
static struct flip *read_flips(const char *path, int *n)
{
	FILE *f = fopen(path, "re");
	struct flip *v = NULL;
	unsigned long long t;
	unsigned int seq, id;
	int cap = 0;

	*n = 0;
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	while (fscanf(f, "flip %u %u %llu\n", &seq, &id, &t) == 3) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				break;
		}
		v[(*n)++] = (struct flip){ id, t };
	}
	fclose(f);
	if (!v)
		fprintf(stderr, "%s: no flips read\n", path);
	return v;
}

/* Read the trace's presented commits of a guest buffer, in commit order. */
static struct commit *read_trace(const char *path, int *n)
{
	FILE *f = fopen(path, "re");
	struct commit *v = NULL;
	unsigned long long c, p;
	char name[64];
	unsigned int id;
	int cap = 0, presented;

	*n = 0;
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	while (fscanf(f, "%63s %u %llu %llu %d\n", name, &id, &c, &p,
		      &presented) == 5) {
		if (!presented || !id)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				break;
		}
		v[(*n)++] = (struct commit){ id, c, p };
	}
	fclose(f);
	if (!v)
		fprintf(stderr, "%s: no presented commit of a guest buffer\n",
			path);
	return v;
}

static int match(const char *flips_path, const char *trace_path, int skip)
{
	int nf, nc, k, c = 0, n = 0, dropped = 0;
	struct flip *fl = read_flips(flips_path, &nf);
	struct commit *cm = read_trace(trace_path, &nc);
	double *pres = NULL, *comm = NULL, p50, p99, c50, c99;
	int ret = 1;

	if (!fl || !cm)
		goto out;
	pres = calloc(nf, sizeof(*pres));
	comm = calloc(nf, sizeof(*comm));
	if (!pres || !comm)
		goto out;
	/* the last two flips have no bound yet: not judged */
	for (k = skip; k + 2 < nf; k++) {
		int i;

		while (c < nc && cm[c].commit_ns < fl[k].t)
			c++;
		for (i = c; i < nc && cm[i].commit_ns < fl[k + 2].t; i++)
			if (cm[i].dmabuf_id == fl[k].dmabuf_id)
				break;
		if (i == nc || cm[i].commit_ns >= fl[k + 2].t) {
			dropped++;
			continue;
		}
		pres[n] = (cm[i].present_ns - fl[k].t) / 1e6;
		comm[n] = (cm[i].commit_ns - fl[k].t) / 1e6;
		n++;
	}
	if (!n) {
		fprintf(stderr,
			"no flip paired with a presented commit "
			"(%d flips, %d commits)\n",
			nf, nc);
		goto out;
	}
	vp_percentiles(pres, n, &p50, &p99);
	vp_percentiles(comm, n, &c50, &c99);
	printf("latency n=%d dropped=%d present_p50_ms=%.2f "
	       "present_p99_ms=%.2f commit_p50_ms=%.2f commit_p99_ms=%.2f\n",
	       n, dropped, p50, p99, c50, c99);
	ret = 0;
out:
	free(fl);
	free(cm);
	free(pres);
	free(comm);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "observe") &&
	    !strcmp(argv[2], "--uuid"))
		return observe(argv[3]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "match"))
		return match(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 0);
	fprintf(stderr, "usage: vp-flip-latency observe --uuid UUID\n"
			"       vp-flip-latency match FLIPS TRACE [SKIP]\n");
	return 2;
}
